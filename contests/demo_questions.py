"""The demo question bank of the online information-security contest (seed 000): the topics the issue names, each
question with its options (True marks a correct one), an explanation and a source a citizen can look up."""

from __future__ import annotations

# (topic, position)
TOPICS = [
    ("Tin nhắn lừa đảo", 1),
    ("Đường link ngân hàng giả mạo", 2),
    ("Mật khẩu và xác thực hai lớp", 3),
    ("Bảo vệ dữ liệu cá nhân", 4),
    ("Ứng dụng nTrust", 5),
    ("Lừa đảo qua điện thoại", 6),
    ("Mua sắm trực tuyến an toàn", 7),
]

SRC_HANDBOOK = (
    "Cục An toàn thông tin, Bộ Thông tin và Truyền thông – Cẩm nang nhận diện và phòng chống lừa đảo trực tuyến"
)
SRC_NCSC = "Trung tâm Giám sát an toàn không gian mạng quốc gia (NCSC) – khonggianmang.vn"
SRC_SBV = "Ngân hàng Nhà nước Việt Nam – khuyến cáo khách hàng về an toàn giao dịch trực tuyến"
SRC_DECREE13 = "Nghị định 13/2023/NĐ-CP ngày 17/4/2023 của Chính phủ về bảo vệ dữ liệu cá nhân"
SRC_POLICE = "Bộ Công an – cảnh báo các phương thức lừa đảo chiếm đoạt tài sản qua mạng"
SRC_ECOM = "Cục Thương mại điện tử và Kinh tế số, Bộ Công Thương – khuyến cáo người tiêu dùng khi mua sắm trực tuyến"

# (topic, difficulty, multiple, text, [(option, correct)], explanation, source)
QUESTIONS = [
    # --- Tin nhắn lừa đảo -------------------------------------------------------------------------------------
    (
        "Tin nhắn lừa đảo",
        "easy",
        False,
        "Bạn nhận được tin nhắn: “Tài khoản của bạn sẽ bị khóa sau 24 giờ, bấm vào đường link sau để xác minh”. "
        "Bạn nên làm gì?",
        [
            ("Bấm vào đường link ngay để tài khoản không bị khóa", False),
            ("Không bấm link, liên hệ ngân hàng qua số tổng đài in trên thẻ hoặc trên trang chính thức", True),
            ("Trả lời tin nhắn để hỏi thêm thông tin", False),
            ("Chuyển tiếp tin nhắn cho người thân để họ bấm giúp", False),
        ],
        "Ngân hàng không yêu cầu khách hàng xác minh tài khoản qua đường link gửi trong tin nhắn. Thúc giục "
        "“trong 24 giờ” là cách kẻ gian tạo áp lực để nạn nhân hành động vội vàng.",
        SRC_HANDBOOK,
    ),
    (
        "Tin nhắn lừa đảo",
        "medium",
        False,
        "Tin nhắn mang tên thương hiệu (brandname) của ngân hàng, nằm chung luồng với các tin nhắn thật trước đó, "
        "chứa đường link lạ. Nhận định nào đúng?",
        [
            ("Tin nhắn hiện đúng tên ngân hàng nên chắc chắn là thật", False),
            ("Kẻ gian có thể dùng trạm phát sóng giả (BTS giả) để gửi tin nhắn mạo danh brandname", True),
            ("Chỉ tin nhắn từ số điện thoại lạ mới có thể là lừa đảo", False),
            ("Tin nhắn brandname không bao giờ chứa đường link", False),
        ],
        "Các đối tượng đã dùng thiết bị phát sóng giả mạo để gửi tin nhắn mang tên ngân hàng, nên tên hiển thị không "
        "đủ để tin. Không bấm vào đường link trong tin nhắn, hãy tự mở ứng dụng chính thức của ngân hàng.",
        SRC_NCSC,
    ),
    (
        "Tin nhắn lừa đảo",
        "easy",
        False,
        "Để phản ánh một tin nhắn rác, tin nhắn lừa đảo tới cơ quan quản lý, người dùng di động có thể soạn tin "
        "gửi tới đầu số nào?",
        [("5656", True), ("113", False), ("1900 1009", False), ("911", False)],
        "Đầu số 5656 tiếp nhận phản ánh tin nhắn rác, tin nhắn lừa đảo của các nhà mạng; 113 là số gọi khẩn cấp "
        "của Công an.",
        "Cục Viễn thông, Bộ Thông tin và Truyền thông – hướng dẫn phản ánh tin nhắn rác qua đầu số 5656",
    ),
    (
        "Tin nhắn lừa đảo",
        "medium",
        True,
        "Những dấu hiệu nào thường gặp ở tin nhắn lừa đảo? (Chọn tất cả đáp án đúng)",
        [
            ("Thúc giục làm ngay, đe dọa khóa tài khoản hoặc phạt tiền", True),
            ("Đường link có tên miền lạ, gần giống tên miền thật", True),
            ("Thông báo trúng thưởng lớn nhưng phải nộp phí trước", True),
            ("Nhắc lịch hẹn do chính bạn đặt, không kèm link", False),
        ],
        "Tạo áp lực thời gian, tên miền nhái và “trúng thưởng phải nộp phí” là ba dấu hiệu điển hình. Một tin nhắc "
        "lịch do bạn đặt, không yêu cầu bấm link hay chuyển tiền, không có các dấu hiệu đó.",
        SRC_HANDBOOK,
    ),
    (
        "Tin nhắn lừa đảo",
        "hard",
        False,
        "Bạn nhận tin nhắn “Bạn có đơn hàng bị giữ tại kho, vui lòng cập nhật địa chỉ và thanh toán 15.000đ phí "
        "giao lại tại link…”. Cách xử lý đúng là:",
        [
            ("Thanh toán vì số tiền nhỏ, không đáng lo", False),
            ("Kiểm tra đơn hàng trong ứng dụng hoặc trang chính thức của đơn vị vận chuyển, không bấm link", True),
            ("Nhập thông tin thẻ vào link để được giao hàng nhanh", False),
            ("Gọi lại số điện thoại ghi trong tin nhắn để hỏi", False),
        ],
        "Khoản phí nhỏ là mồi để lấy thông tin thẻ và mã OTP; sau đó kẻ gian rút nhiều tiền hơn. Số điện thoại "
        "trong tin nhắn giả cũng do kẻ gian nắm giữ.",
        SRC_HANDBOOK,
    ),
    # --- Đường link ngân hàng giả mạo ---------------------------------------------------------------------------
    (
        "Đường link ngân hàng giả mạo",
        "easy",
        False,
        "Cách an toàn nhất để đăng nhập ngân hàng điện tử là:",
        [
            ("Bấm vào đường link được gửi qua tin nhắn hoặc mạng xã hội", False),
            ("Mở ứng dụng chính thức của ngân hàng hoặc tự gõ địa chỉ trang web chính thức", True),
            ("Tìm trên mạng và bấm vào kết quả quảng cáo đầu tiên", False),
            ("Dùng đường link do nhân viên ngân hàng gửi qua Zalo", False),
        ],
        "Trang giả mạo thường được phát tán qua tin nhắn, mạng xã hội và cả quảng cáo tìm kiếm. Tự mở ứng dụng hoặc "
        "tự gõ địa chỉ giúp tránh rơi vào trang giả.",
        SRC_SBV,
    ),
    (
        "Đường link ngân hàng giả mạo",
        "medium",
        False,
        "Địa chỉ nào dưới đây nhiều khả năng là trang giả mạo ngân hàng Vietcombank?",
        [
            ("https://vcbdigibank.vietcombank.com.vn", False),
            ("https://vietcombank-xacthuc.com", True),
            ("https://www.vietcombank.com.vn", False),
            ("Cả ba đều là trang chính thức", False),
        ],
        "Tên miền chính thức của ngân hàng là phần đứng ngay trước đuôi (vietcombank.com.vn). Tên miền kiểu "
        "“tên-ngân-hàng-xacthuc.com” là tên miền khác, do người khác đăng ký.",
        SRC_SBV,
    ),
    (
        "Đường link ngân hàng giả mạo",
        "medium",
        False,
        "Trang web có biểu tượng ổ khóa và địa chỉ bắt đầu bằng “https://”. Điều đó có nghĩa là:",
        [
            ("Trang web chắc chắn là của ngân hàng thật", False),
            ("Dữ liệu được mã hóa trên đường truyền, nhưng trang vẫn có thể là trang giả", True),
            ("Trang web đã được Bộ Công an kiểm duyệt", False),
            ("Có thể yên tâm nhập mã OTP", False),
        ],
        "HTTPS chỉ bảo đảm kết nối được mã hóa tới đúng tên miền đang mở; kẻ gian cũng có thể cấp chứng chỉ HTTPS "
        "cho tên miền giả. Cần kiểm tra chính tên miền.",
        SRC_HANDBOOK,
    ),
    (
        "Đường link ngân hàng giả mạo",
        "hard",
        True,
        "Lỡ nhập tài khoản và mã OTP vào một trang ngân hàng giả, bạn cần làm gì ngay? (Chọn tất cả đáp án đúng)",
        [
            ("Gọi tổng đài chính thức của ngân hàng để khóa tài khoản, thẻ", True),
            ("Đổi mật khẩu ngân hàng điện tử trên ứng dụng chính thức", True),
            ("Trình báo cơ quan Công an gần nhất", True),
            ("Chờ vài ngày xem có mất tiền không rồi mới báo", False),
        ],
        "Thời gian là yếu tố quyết định: khóa tài khoản sớm có thể chặn các giao dịch tiếp theo. Trình báo giúp cơ "
        "quan chức năng truy vết và cảnh báo người khác.",
        SRC_SBV,
    ),
    (
        "Đường link ngân hàng giả mạo",
        "easy",
        False,
        "Theo quy định của Ngân hàng Nhà nước áp dụng từ 01/7/2024, giao dịch chuyển tiền trực tuyến trên 10 triệu "
        "đồng phải được xác thực bằng:",
        [
            ("Chữ ký tay", False),
            ("Sinh trắc học (khuôn mặt) khớp với căn cước công dân gắn chip", True),
            ("Câu hỏi bảo mật", False),
            ("Không cần xác thực", False),
        ],
        "Quyết định 2345/QĐ-NHNN yêu cầu xác thực sinh trắc học cho giao dịch chuyển tiền trực tuyến trên 10 triệu "
        "đồng/lần hoặc tổng trên 20 triệu đồng/ngày. Không ai có quyền yêu cầu bạn quét mặt giúp họ qua đường link.",
        "Quyết định 2345/QĐ-NHNN ngày 18/12/2023 của Ngân hàng Nhà nước Việt Nam",
    ),
    # --- Mật khẩu và xác thực hai lớp -----------------------------------------------------------------------
    (
        "Mật khẩu và xác thực hai lớp",
        "easy",
        False,
        "Mật khẩu nào dưới đây mạnh nhất?",
        [
            ("12345678", False),
            ("ngaysinh1990", False),
            ("Ca-phe-sua-da!Ben-Song-Dong-Nai-7", True),
            ("matkhau", False),
        ],
        "Mật khẩu dài, kết hợp chữ hoa, chữ thường, số, ký tự đặc biệt và không chứa thông tin cá nhân khó đoán hơn "
        "nhiều. Một cụm từ dài dễ nhớ với bạn là lựa chọn tốt.",
        SRC_HANDBOOK,
    ),
    (
        "Mật khẩu và xác thực hai lớp",
        "easy",
        False,
        "Xác thực hai lớp (2FA) là gì?",
        [
            ("Nhập mật khẩu hai lần", False),
            ("Ngoài mật khẩu, cần thêm một yếu tố khác như mã OTP hoặc ứng dụng xác thực", True),
            ("Dùng hai tài khoản khác nhau", False),
            ("Đổi mật khẩu hai lần mỗi năm", False),
        ],
        "Với 2FA, kẻ gian biết mật khẩu vẫn chưa đăng nhập được nếu không có yếu tố thứ hai trên thiết bị của bạn.",
        SRC_NCSC,
    ),
    (
        "Mật khẩu và xác thực hai lớp",
        "medium",
        False,
        "Người tự xưng là nhân viên Zalo/Facebook gọi điện, nói cần mã xác thực vừa gửi tới điện thoại của bạn để "
        "“mở khóa tài khoản”. Bạn nên:",
        [
            ("Đọc mã cho họ vì họ là nhân viên hỗ trợ", False),
            ("Không cung cấp mã cho bất kỳ ai; mã xác thực chỉ để bạn tự nhập", True),
            ("Chỉ đọc một nửa mã", False),
            ("Gửi ảnh chụp màn hình mã qua tin nhắn", False),
        ],
        "Mã xác thực (OTP) là chìa khóa tài khoản: ai có mã sẽ chiếm được tài khoản. Nhà cung cấp dịch vụ không "
        "bao giờ hỏi mã này.",
        SRC_POLICE,
    ),
    (
        "Mật khẩu và xác thực hai lớp",
        "medium",
        True,
        "Những thói quen nào giúp bảo vệ tài khoản? (Chọn tất cả đáp án đúng)",
        [
            ("Dùng mật khẩu khác nhau cho các tài khoản quan trọng", True),
            ("Bật xác thực hai lớp cho email, mạng xã hội, ngân hàng", True),
            ("Dùng trình quản lý mật khẩu tin cậy", True),
            ("Ghi mật khẩu lên giấy dán ở màn hình máy tính cơ quan", False),
        ],
        "Khi một trang bị lộ dữ liệu, mật khẩu dùng chung sẽ mở được các tài khoản khác. 2FA và trình quản lý mật "
        "khẩu giúp hạn chế rủi ro đó.",
        SRC_HANDBOOK,
    ),
    (
        "Mật khẩu và xác thực hai lớp",
        "hard",
        False,
        "Vì sao ứng dụng xác thực (authenticator) hoặc khóa bảo mật được khuyến nghị hơn mã OTP qua SMS?",
        [
            ("Vì SMS có thể bị chặn, bị chiếm SIM (SIM swap) hoặc bị lừa đọc cho người khác", True),
            ("Vì SMS luôn bị tính phí cao", False),
            ("Vì OTP qua SMS không có thời hạn", False),
            ("Vì ứng dụng xác thực không cần điện thoại", False),
        ],
        "Kẻ gian có thể làm lại SIM của nạn nhân hoặc dụ nạn nhân đọc mã. Ứng dụng xác thực tạo mã ngay trên thiết "
        "bị, khóa bảo mật còn kiểm tra đúng tên miền nên chống được trang giả.",
        SRC_NCSC,
    ),
    # --- Bảo vệ dữ liệu cá nhân ----------------------------------------------------------------------------
    (
        "Bảo vệ dữ liệu cá nhân",
        "easy",
        False,
        "Văn bản nào quy định về bảo vệ dữ liệu cá nhân tại Việt Nam, có hiệu lực từ 01/7/2023?",
        [
            ("Nghị định 13/2023/NĐ-CP", True),
            ("Luật Giao thông đường bộ", False),
            ("Nghị định 100/2019/NĐ-CP", False),
            ("Luật Đất đai 2013", False),
        ],
        "Nghị định 13/2023/NĐ-CP quy định quyền của chủ thể dữ liệu và trách nhiệm của tổ chức, cá nhân xử lý dữ "
        "liệu cá nhân, trong đó có việc phải được sự đồng ý của chủ thể dữ liệu.",
        SRC_DECREE13,
    ),
    (
        "Bảo vệ dữ liệu cá nhân",
        "medium",
        True,
        "Theo Nghị định 13/2023/NĐ-CP, những thông tin nào là dữ liệu cá nhân nhạy cảm? (Chọn tất cả đáp án đúng)",
        [
            ("Tình trạng sức khỏe, thông tin trong hồ sơ bệnh án", True),
            ("Thông tin về tài khoản ngân hàng, giao dịch", True),
            ("Dữ liệu về vị trí của cá nhân được xác định qua dịch vụ định vị", True),
            ("Tên của một cửa hàng", False),
        ],
        "Dữ liệu cá nhân nhạy cảm gắn với quyền riêng tư mà khi bị xâm phạm gây ảnh hưởng trực tiếp tới quyền và "
        "lợi ích hợp pháp của cá nhân; tên cửa hàng không phải dữ liệu của một người.",
        SRC_DECREE13,
    ),
    (
        "Bảo vệ dữ liệu cá nhân",
        "easy",
        False,
        "Khi đăng ảnh căn cước công dân lên mạng xã hội để “khoe” hoặc nhờ người khác làm hồ sơ, rủi ro là gì?",
        [
            ("Không có rủi ro vì ai cũng có căn cước", False),
            ("Kẻ gian có thể dùng thông tin để mở tài khoản, vay tiền, đăng ký SIM hoặc mạo danh bạn", True),
            ("Chỉ bị nhắc nhở", False),
            ("Ảnh sẽ tự xóa sau 24 giờ", False),
        ],
        "Số định danh, họ tên, ngày sinh, ảnh chân dung là đủ để kẻ gian mạo danh trong nhiều thủ tục. Chỉ cung "
        "cấp giấy tờ tùy thân cho đúng cơ quan, tổ chức cần và qua kênh chính thức.",
        SRC_DECREE13,
    ),
    (
        "Bảo vệ dữ liệu cá nhân",
        "medium",
        False,
        "Một ứng dụng đèn pin yêu cầu quyền đọc danh bạ, tin nhắn và vị trí. Bạn nên:",
        [
            ("Cấp hết quyền để ứng dụng chạy nhanh hơn", False),
            ("Từ chối các quyền không cần cho chức năng, hoặc gỡ ứng dụng", True),
            ("Cấp quyền rồi đổi mật khẩu điện thoại", False),
            ("Cài thêm một ứng dụng đèn pin khác tương tự", False),
        ],
        "Ứng dụng chỉ nên được cấp những quyền cần cho chức năng của nó. Quyền đọc tin nhắn cho phép lấy cả mã OTP.",
        SRC_HANDBOOK,
    ),
    (
        "Bảo vệ dữ liệu cá nhân",
        "hard",
        False,
        "Theo Nghị định 13/2023/NĐ-CP, sự đồng ý của chủ thể dữ liệu chỉ có hiệu lực khi:",
        [
            ("Chủ thể dữ liệu im lặng, không phản đối", False),
            ("Được đưa ra tự nguyện, rõ ràng, biết rõ mục đích, loại dữ liệu và bên xử lý", True),
            ("Do người thân đồng ý thay mà không cần ủy quyền", False),
            ("Được đánh dấu sẵn trong ô đồng ý", False),
        ],
        "Im lặng hay không phản hồi không được coi là sự đồng ý; ô chọn đánh dấu sẵn cũng vậy. Sự đồng ý phải thể "
        "hiện rõ ràng, cụ thể và có thể rút lại.",
        SRC_DECREE13,
    ),
    # --- Ứng dụng nTrust ---------------------------------------------------------------------------------------
    (
        "Ứng dụng nTrust",
        "easy",
        False,
        "Ứng dụng nTrust do đơn vị nào phát triển?",
        [
            ("Trung tâm Giám sát an toàn không gian mạng quốc gia (NCSC), Cục An toàn thông tin", True),
            ("Một công ty trò chơi điện tử", False),
            ("Ngân hàng Nhà nước Việt Nam", False),
            ("Tổng cục Thuế", False),
        ],
        "nTrust là ứng dụng kiểm tra và cảnh báo lừa đảo của NCSC, Cục An toàn thông tin, Bộ Thông tin và Truyền "
        "thông; tải từ kho ứng dụng chính thức (App Store, Google Play).",
        SRC_NCSC,
    ),
    (
        "Ứng dụng nTrust",
        "easy",
        True,
        "Ứng dụng nTrust giúp người dùng làm gì? (Chọn tất cả đáp án đúng)",
        [
            ("Kiểm tra số điện thoại, số tài khoản, đường link có bị cảnh báo lừa đảo hay không", True),
            ("Gửi phản ánh về các số, tài khoản, trang web lừa đảo", True),
            ("Chuyển tiền thay ứng dụng ngân hàng", False),
            ("Vay tiền trực tuyến", False),
        ],
        "nTrust tra cứu dữ liệu cảnh báo lừa đảo và nhận phản ánh của người dùng; nó không phải ví điện tử hay ứng "
        "dụng ngân hàng.",
        SRC_NCSC,
    ),
    (
        "Ứng dụng nTrust",
        "medium",
        False,
        "Trước khi chuyển tiền đặt cọc cho một người bán trên mạng xã hội, bạn có thể dùng nTrust để:",
        [
            ("Kiểm tra số tài khoản, số điện thoại của người bán đã bị phản ánh lừa đảo chưa", True),
            ("Hoàn tiền tự động nếu bị lừa", False),
            ("Bảo hiểm giao dịch", False),
            ("Xác nhận người bán đã đăng ký kinh doanh", False),
        ],
        "Tra cứu trước khi chuyển tiền giúp phát hiện sớm những số tài khoản đã bị nhiều người phản ánh. Một kết "
        "quả “chưa có cảnh báo” cũng không bảo đảm an toàn tuyệt đối.",
        SRC_NCSC,
    ),
    (
        "Ứng dụng nTrust",
        "medium",
        False,
        "Đâu là cách cài đặt nTrust an toàn?",
        [
            ("Tải tệp cài đặt (.apk) từ đường link người lạ gửi qua Zalo", False),
            ("Tải từ kho ứng dụng chính thức App Store hoặc Google Play, đúng nhà phát triển", True),
            ("Nhờ người lạ cài hộ qua ứng dụng điều khiển từ xa", False),
            ("Tải từ trang web quảng cáo “nTrust bản mới nhất”", False),
        ],
        "Kẻ gian thường giả mạo ứng dụng của cơ quan nhà nước bằng tệp .apk chứa mã độc để chiếm quyền điện thoại. "
        "Chỉ cài ứng dụng từ kho chính thức.",
        SRC_NCSC,
    ),
    (
        "Ứng dụng nTrust",
        "hard",
        False,
        "Trang nào dùng để kiểm tra mức độ tín nhiệm của một trang web, do NCSC vận hành?",
        [
            ("tinnhiemmang.vn", True),
            ("tinnhiem-mang.com", False),
            ("nganhang-tinnhiem.net", False),
            ("Không có trang nào như vậy", False),
        ],
        "Tín Nhiệm Mạng (tinnhiemmang.vn) gắn nhãn tín nhiệm cho trang web, ứng dụng và cảnh báo các trang lừa đảo; "
        "hãy cẩn thận với các tên miền nhái gần giống.",
        SRC_NCSC,
    ),
    # --- Lừa đảo qua điện thoại ---------------------------------------------------------------------------
    (
        "Lừa đảo qua điện thoại",
        "easy",
        False,
        "Người gọi xưng là công an, nói bạn liên quan đến một vụ án và yêu cầu chuyển tiền vào “tài khoản tạm giữ” "
        "để điều tra. Bạn nên:",
        [
            ("Chuyển tiền ngay để được minh oan", False),
            ("Không chuyển tiền, cúp máy và liên hệ trực tiếp cơ quan Công an nơi cư trú", True),
            ("Cung cấp số tài khoản và mã OTP để họ kiểm tra", False),
            ("Giữ bí mật, không kể với người thân", False),
        ],
        "Cơ quan Công an không làm việc qua điện thoại và không yêu cầu chuyển tiền vào tài khoản nào để “phục vụ "
        "điều tra”. Yêu cầu giữ bí mật là dấu hiệu lừa đảo.",
        SRC_POLICE,
    ),
    (
        "Lừa đảo qua điện thoại",
        "medium",
        False,
        "Bạn nhận cuộc gọi video từ tài khoản Zalo của người thân, hình ảnh mờ, nói vài giây rồi tắt và nhắn hỏi "
        "vay tiền gấp. Khả năng cao đây là:",
        [
            ("Người thân thật đang gặp sóng yếu", False),
            ("Tài khoản bị chiếm và kẻ gian dùng video giả (deepfake) để vay tiền", True),
            ("Lỗi của ứng dụng", False),
            ("Một chương trình khuyến mãi", False),
        ],
        "Kẻ gian dùng tài khoản bị chiếm và video ghép khuôn mặt để tạo lòng tin. Hãy gọi lại bằng số điện thoại "
        "quen thuộc của người thân để xác minh trước khi chuyển tiền.",
        SRC_POLICE,
    ),
    (
        "Lừa đảo qua điện thoại",
        "medium",
        True,
        "Những câu nào thường xuất hiện trong các cuộc gọi lừa đảo? (Chọn tất cả đáp án đúng)",
        [
            ("“Thuê bao của bạn sẽ bị khóa 2 chiều trong 2 giờ nữa”", True),
            ("“Người nhà bạn đang cấp cứu, cần chuyển tiền viện phí ngay”", True),
            ("“Bạn được hoàn thuế, hãy cài ứng dụng theo link để nhận”", True),
            ("“Đây là lịch khám mà bạn đã đặt qua tổng đài bệnh viện”", False),
        ],
        "Dọa khóa thuê bao, báo tin người thân gặp nạn, mời cài ứng dụng để nhận tiền là các kịch bản phổ biến; "
        "điểm chung là thúc giục và yêu cầu chuyển tiền hoặc cài ứng dụng.",
        SRC_POLICE,
    ),
    (
        "Lừa đảo qua điện thoại",
        "hard",
        False,
        "Người gọi xưng là cán bộ điện lực, báo sẽ cắt điện nếu không thanh toán tiền điện nợ ngay qua số tài khoản "
        "cá nhân. Điều nào đúng?",
        [
            (
                "Ngành điện không yêu cầu thanh toán vào tài khoản cá nhân qua cuộc gọi; hãy kiểm tra qua kênh "
                "chính thức",
                True,
            ),
            ("Cần chuyển tiền để tránh bị cắt điện", False),
            ("Đọc mã khách hàng và OTP để họ trừ tiền", False),
            ("Cài ứng dụng họ gửi để thanh toán", False),
        ],
        "Tiền điện thanh toán qua ứng dụng, trang web chính thức của ngành điện hoặc ngân hàng, ví điện tử; mọi yêu "
        "cầu chuyển vào tài khoản cá nhân qua điện thoại là dấu hiệu lừa đảo.",
        SRC_POLICE,
    ),
    (
        "Lừa đảo qua điện thoại",
        "easy",
        False,
        "Ứng dụng chính thức để sử dụng tài khoản định danh điện tử của công dân Việt Nam là:",
        [
            ("VNeID của Bộ Công an", True),
            ("Một ứng dụng do người gọi gửi link tải", False),
            ("Bất kỳ ứng dụng nào có chữ “ID”", False),
            ("Ứng dụng chỉnh sửa ảnh", False),
        ],
        "VNeID do Bộ Công an phát triển và tải từ kho ứng dụng chính thức. Kẻ gian hay gọi điện “hỗ trợ kích hoạt "
        "định danh mức 2” rồi gửi link ứng dụng giả để chiếm quyền điện thoại.",
        SRC_POLICE,
    ),
    # --- Mua sắm trực tuyến an toàn -------------------------------------------------------------------------
    (
        "Mua sắm trực tuyến an toàn",
        "easy",
        False,
        "Khi mua hàng trên mạng xã hội, cách thanh toán nào an toàn hơn?",
        [
            ("Chuyển khoản trước toàn bộ cho người bán mới quen", False),
            ("Thanh toán khi nhận hàng hoặc qua sàn thương mại điện tử có cơ chế bảo vệ người mua", True),
            ("Gửi mã OTP cho người bán để họ tự trừ tiền", False),
            ("Nạp thẻ cào điện thoại cho người bán", False),
        ],
        "Thanh toán qua sàn hoặc khi nhận hàng giúp giữ tiền đến khi bạn nhận đúng hàng. Không bao giờ gửi OTP cho "
        "người khác.",
        SRC_ECOM,
    ),
    (
        "Mua sắm trực tuyến an toàn",
        "medium",
        False,
        "Một trang bán hàng giảm giá 90% cho điện thoại mới, chỉ nhận chuyển khoản, không có địa chỉ cửa hàng. "
        "Bạn nên:",
        [
            ("Mua ngay trước khi hết hàng", False),
            ("Nghi ngờ lừa đảo, kiểm tra tín nhiệm của trang và không chuyển tiền", True),
            ("Chuyển một nửa tiền để giữ hàng", False),
            ("Giới thiệu cho bạn bè cùng mua", False),
        ],
        "Giá rẻ bất thường, chỉ nhận chuyển khoản và thiếu thông tin người bán là dấu hiệu của trang lừa đảo. Trang "
        "thương mại điện tử bán hàng phải công bố thông tin chủ sở hữu.",
        SRC_ECOM,
    ),
    (
        "Mua sắm trực tuyến an toàn",
        "medium",
        True,
        "Những dấu hiệu nào của một gian hàng trực tuyến đáng tin cậy hơn? (Chọn tất cả đáp án đúng)",
        [
            ("Có thông tin doanh nghiệp, địa chỉ, số điện thoại rõ ràng", True),
            ("Bán trên sàn thương mại điện tử có đánh giá thật từ người mua", True),
            ("Có chính sách đổi trả, bảo hành công khai", True),
            ("Yêu cầu chuyển tiền vào tài khoản cá nhân khác tên người bán", False),
        ],
        "Thông tin minh bạch, đánh giá thật và chính sách đổi trả là các điểm cần xem. Tài khoản nhận tiền khác tên "
        "người bán là dấu hiệu đáng ngờ.",
        SRC_ECOM,
    ),
    (
        "Mua sắm trực tuyến an toàn",
        "hard",
        False,
        "Bạn được mời làm “cộng tác viên” chốt đơn ảo cho sàn thương mại điện tử: nạp tiền để mua đơn, sau đó được "
        "hoàn tiền kèm hoa hồng. Sau vài đơn nhỏ được trả đủ, họ yêu cầu nạp số tiền lớn. Đây là:",
        [
            ("Công việc làm thêm hợp pháp", False),
            ("Thủ đoạn lừa đảo “việc nhẹ lương cao”: trả thưởng nhỏ để dụ nạp tiền lớn rồi chiếm đoạt", True),
            ("Chương trình khuyến mãi của sàn", False),
            ("Hình thức đầu tư an toàn", False),
        ],
        "Trả tiền đúng hẹn vài lần đầu để tạo lòng tin rồi “đóng băng” tài khoản khi nạp số tiền lớn là kịch bản "
        "quen thuộc; không sàn thương mại điện tử nào tuyển người “chốt đơn ảo”.",
        SRC_POLICE,
    ),
    (
        "Mua sắm trực tuyến an toàn",
        "easy",
        False,
        "Shipper gọi báo có đơn hàng giao tới, yêu cầu chuyển khoản trước tiền hàng dù bạn không đặt mua gì. Bạn nên:",
        [
            ("Chuyển khoản cho nhanh", False),
            ("Từ chối, kiểm tra lại các đơn đã đặt trong ứng dụng mua sắm", True),
            ("Nhận hàng giúp hàng xóm và chuyển tiền", False),
            ("Gửi mã OTP để shipper xác nhận", False),
        ],
        "Kẻ gian giả shipper giao những đơn hàng không ai đặt để thu tiền. Chỉ thanh toán các đơn bạn thật sự đặt, "
        "kiểm tra trong ứng dụng của sàn hoặc cửa hàng.",
        SRC_ECOM,
    ),
]
