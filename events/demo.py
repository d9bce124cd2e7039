"""Demo plans and activities from seeds 000 (Tân Uyên 2024) and 001 (Đồng Nai 2024).

Dates are the plans' own, written as in 2024 and placed in the demo's campaign year by ``report.calendar``
(``app.demo.DemoCalendar``): ``cal.date``/``cal.at`` for a date the plan writes (its day and month are kept),
``cal.on_weekday`` for a day the demo picked (its weekday is kept). Where a plan gives only a month ("trong tháng
10/2024") or a length ("mỗi cụm 2 ngày"), the demo picks days inside it, and says so in the activity's
description. Texts, titles and document numbers are quoted as the plans write them, "năm 2024" included: they are
real documents, and the titles are the natural keys by which a second run finds what the first created.
Everything is found by a natural key before it is created, so loading twice changes nothing."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from app.demo import DemoReport, unit

from .models import Activity, Plan, ProgrammeItem, TourStop, Venue

TAN_UYEN_THEMES = "\n".join(
    [
        "Phổ cập hạ tầng số và sáng tạo ứng dụng số để phát triển kinh tế số - Động lực mới cho tăng trưởng kinh tế "
        "và năng suất lao động.",
        "Phát triển kinh tế số với 04 trụ cột: Công nghiệp công nghệ thông tin, số hóa các ngành kinh tế, quản trị số, "
        "dữ liệu số - Động lực quan trọng cho phát triển kinh tế - xã hội nhanh và bền vững.",
        "Tân Uyên “vững vàng, bứt phá, tăng tốc” tập trung nâng cao chất lượng chuyển đổi số trên các lĩnh vực.",
    ]
)
TAN_UYEN_SLOGANS = "\n".join(
    [
        "Chuyển đổi số kết sức mạnh - nối thành công.",
        "Dữ liệu đúng, đủ và kịp thời sẽ dẫn đến hành động đúng, không cảm tính.",
        "Bảo đảm an toàn an ninh mạng là then chốt để chuyển đổi số thành công và bền vững.",
    ]
)

BRING_ID = "Căn cước công dân gắn chip; điện thoại thông minh đã cài ứng dụng VNeID (nếu có)."

# (name, address, capacity, ward or district, directions)
VENUES = [
    (
        "Quảng trường thành phố Tân Uyên",
        "Phường Uyên Hưng, thành phố Tân Uyên",
        3000,
        "Phường Uyên Hưng",
        "Trước trụ sở UBND thành phố; gửi xe tại bãi phía sau Nhà văn hóa. Cổng chính mở từ 07:00.",
    ),
    (
        "Khu trưng bày A – Không gian chính quyền số",
        "Quảng trường thành phố Tân Uyên",
        300,
        "Phường Uyên Hưng",
        "Dãy nhà bạt bên trái sân khấu chính.",
    ),
    (
        "Khu trưng bày B – Không gian kinh tế số",
        "Quảng trường thành phố Tân Uyên",
        300,
        "Phường Uyên Hưng",
        "Dãy nhà bạt bên phải sân khấu chính, cạnh phiên chợ ẩm thực không dùng tiền mặt.",
    ),
    (
        "Khu trưng bày C – Không gian xã hội số",
        "Quảng trường thành phố Tân Uyên",
        300,
        "Phường Uyên Hưng",
        "Dãy nhà bạt phía sau sân khấu.",
    ),
    (
        "Khu trưng bày D – Không gian sách",
        "Quảng trường thành phố Tân Uyên",
        200,
        "Phường Uyên Hưng",
        "Góc sân phía cổng phụ, cạnh khu vui chơi thiếu nhi.",
    ),
    (
        "Hội trường UBND thành phố Tân Uyên",
        "Phường Uyên Hưng, thành phố Tân Uyên",
        200,
        "Phường Uyên Hưng",
        "Tầng 2 trụ sở UBND thành phố; lối vào cổng bên.",
    ),
    (
        "Chợ Uyên Hưng",
        "Phường Uyên Hưng, thành phố Tân Uyên",
        None,
        "Phường Uyên Hưng",
        "Các quầy treo mã QR thanh toán có dán biểu trưng chương trình.",
    ),
    (
        "Trung tâm Tổ chức Hội nghị và sự kiện tỉnh Đồng Nai",
        "Thành phố Biên Hòa, tỉnh Đồng Nai",
        500,
        "UBND thành phố Biên Hòa",
        "Cổng chính hướng đường Đồng Khởi; khách mời đón tại sảnh A.",
    ),
    ("Trung tâm Văn hóa huyện Định Quán", "Huyện Định Quán, tỉnh Đồng Nai", 600, "UBND huyện Định Quán", ""),
    ("Trung tâm Văn hóa huyện Trảng Bom", "Huyện Trảng Bom, tỉnh Đồng Nai", 600, "UBND huyện Trảng Bom", ""),
]

FESTIVAL = "Ngày hội Chuyển đổi số thành phố Tân Uyên"
# The festival's programme (seed 000, II.4.a), in the order the plan lists it.
FESTIVAL_PROGRAMME = [
    ((7, 30), (8, 0), "Đón khách, tham quan các không gian trưng bày", "Thành Đoàn Tân Uyên"),
    ((8, 0), (8, 30), "Lễ ra mắt Kênh giao tiếp số trên nền tảng Zalo mini app", "Phòng Văn hóa và Thông tin"),
    ((8, 30), (9, 0), "Giới thiệu mô hình khu ấp thông minh", "Phường Uyên Hưng"),
    (
        (9, 0),
        (9, 15),
        "Phát động cuộc thi trực tuyến tìm hiểu về an toàn, an ninh thông tin",
        "Phòng Văn hóa và Thông tin",
    ),
    (
        (9, 15),
        (9, 45),
        "Khen thưởng, biểu dương các tập thể, cá nhân thực hiện tốt công tác chuyển đổi số",
        "Phòng Nội vụ",
    ),
    (
        (9, 45),
        (10, 15),
        "Ký kết thực hiện công tác chuyển đổi số với các doanh nghiệp bưu chính, viễn thông, ngân hàng",
        "UBND thành phố Tân Uyên",
    ),
    ((10, 15), (11, 0), "Diễu hành tuyên truyền chuyển đổi số", "Thành Đoàn Tân Uyên"),
    (
        (11, 0),
        (21, 0),
        "Không gian tham quan, trải nghiệm ứng dụng số, dữ liệu số và trí tuệ nhân tạo",
        "Trung tâm Văn hóa – Thể thao và Truyền thanh thành phố",
    ),
]

# The four exhibition spaces (seed 001, III.1, as the Tân Uyên festival sets them up): title, venue, lead, text.
EXHIBITIONS = [
    (
        "Không gian chính quyền số",
        "Khu trưng bày A – Không gian chính quyền số",
        "Công an thành phố Tân Uyên",
        "Thu thập dữ liệu dân cư phục vụ người dân; hướng dẫn dịch vụ công trực tuyến; định danh và xác thực "
        "điện tử VNeID.",
    ),
    (
        "Không gian kinh tế số",
        "Khu trưng bày B – Không gian kinh tế số",
        "Phòng Kinh tế",
        "Mua bán trực tuyến sản phẩm OCOP địa phương trên sàn thương mại điện tử; hội chợ ẩm thực không dùng tiền mặt.",
    ),
    (
        "Không gian xã hội số",
        "Khu trưng bày C – Không gian xã hội số",
        "Thành Đoàn Tân Uyên",
        "Kiến thức cơ bản về an toàn thông tin, nhận diện lừa đảo trên không gian mạng; mô hình chuyển đổi số "
        "cộng đồng; chuyển đổi thiết bị di động 2G lên 4G.",
    ),
    (
        "Book Tour: Không gian sách - chuyển đổi số từ văn hóa đọc",
        "Khu trưng bày D – Không gian sách",
        "Trung tâm Văn hóa – Thể thao và Truyền thanh thành phố",
        "Giới thiệu sách hay về chuyển đổi số, hội thi tìm hiểu và cảm nhận sách cho thanh thiếu nhi, "
        "bán sách trợ giá.",
    ),
]

CEREMONY = "Chương trình chào mừng Ngày chuyển đổi số quốc gia và Ngày 10/10 chuyển đổi số tỉnh Đồng Nai"
CEREMONY_PROGRAMME = [
    ((8, 0), "Chương trình nghệ thuật chào mừng"),
    ((8, 15), "Tuyên bố lý do, giới thiệu đại biểu"),
    ((8, 25), "Bài phát biểu chào mừng và phát động chuyển đổi số trong chính quyền và nhân dân tỉnh Đồng Nai"),
    ((8, 45), "Giới thiệu một số sản phẩm, giải pháp truyền thông, công nghệ"),
    ((9, 5), "Phóng sự báo cáo kết quả các hoạt động hưởng ứng chuyển đổi số năm 2024"),
    ((9, 20), "Công bố kết quả và trao giải các cuộc thi"),
    ((9, 50), "Vinh danh các tập thể, cá nhân có thành tích xuất sắc trong các hoạt động chuyển đổi số năm 2024"),
    ((10, 20), "Chương trình nghệ thuật “Nhịp sống số - Chuyển đổi xanh vì mục tiêu phát triển bền vững”"),
    ((11, 15), "Bế mạc"),
]

CLUSTERS = [
    (
        "Cụm 1",
        "UBND huyện Định Quán",
        "Trung tâm Văn hóa huyện Định Quán",
        [
            "UBND huyện Tân Phú",
            "UBND huyện Vĩnh Cửu",
            "UBND huyện Xuân Lộc",
            "UBND huyện Thống Nhất",
            "UBND thành phố Long Khánh",
        ],
        "24/09/2024",
    ),
    (
        "Cụm 2",
        "UBND huyện Trảng Bom",
        "Trung tâm Văn hóa huyện Trảng Bom",
        ["UBND thành phố Biên Hòa", "UBND huyện Nhơn Trạch", "UBND huyện Cẩm Mỹ", "UBND huyện Long Thành"],
        "27/09/2024",
    ),
]


def load(session: Session, report: DemoReport) -> None:
    """Venues, both plans and their activities, programmes and the cluster tour's itinerary."""
    venues = {
        name: report.get_or_create(
            session,
            Venue,
            {"name": name},
            address=address,
            capacity=capacity,
            unit_id=unit(session, area).id,
            directions=directions,
        )
        for name, address, capacity, area, directions in VENUES
    }
    _load_tan_uyen(session, report, venues)
    _load_dong_nai(session, report, venues)


def _load_tan_uyen(session: Session, report: DemoReport, venues: dict[str, Venue]) -> None:
    cal = report.calendar
    office = unit(session, "Phòng Văn hóa và Thông tin")
    plan = report.get_or_create(
        session,
        Plan,
        {"number": "4568/KH-UBND"},
        issued_on=cal.date("13/09/2024"),
        issuing_unit_id=unit(session, "UBND thành phố Tân Uyên").id,
        title="Tổ chức các hoạt động hưởng ứng Ngày Chuyển đổi số quốc gia, Ngày Chuyển đổi số tỉnh Bình Dương "
        "(10/10) năm 2024",
        themes=TAN_UYEN_THEMES,
        slogans=TAN_UYEN_SLOGANS,
        period_start=cal.date("15/09/2024"),
        period_end=cal.date("31/10/2024"),
        peak_start=cal.date("01/10/2024"),
        peak_end=cal.date("10/10/2024"),
        lead_unit_id=office.id,
        report_deadline=cal.date("01/11/2024"),
        status="published",
    )
    activity = _activity_loader(session, report, plan)
    festival = activity(
        FESTIVAL,
        "festival",
        cal.on_weekday("05/10/2024", 7, 30),
        cal.on_weekday("05/10/2024", 21, 0),
        venue=venues["Quảng trường thành phố Tân Uyên"],
        lead=office,
        capacity=2000,
        expected_headcount=3000,
        registration_open=True,
        registration_opens_at=cal.opening(cal.on_weekday("20/09/2024", 8)),
        registration_closes_at=cal.on_weekday("04/10/2024", 17),
        audience="Người dân, doanh nghiệp, cán bộ, công chức, viên chức, đoàn viên thanh niên, học sinh",
        audience_groups=",citizens,civil_servants,enterprises,students,youth,",
        what_to_bring=BRING_ID,
        description="Trong tháng 10/2024 tại Quảng trường thành phố (bản dùng thử chọn ngày "
        f"{cal.on_weekday('05/10/2024'):%d/%m/%Y}). Giới thiệu người dân tham khảo các sản phẩm, dịch vụ, nền tảng "
        "công nghệ số tại https://dx.gov.vn/.",
        coordinators=[
            "Thành Đoàn Tân Uyên",
            "Công an thành phố Tân Uyên",
            "Điện lực Tân Uyên",
            "Trung tâm Văn hóa – Thể thao và Truyền thanh thành phố",
        ],
    )
    for position, (start, end, title, responsible) in enumerate(FESTIVAL_PROGRAMME):
        report.get_or_create(
            session,
            ProgrammeItem,
            {"activity_id": festival.id, "title": title},
            position=position,
            starts_at=cal.on_weekday("05/10/2024", *start),
            ends_at=cal.on_weekday("05/10/2024", *end),
            responsible_unit_id=unit(session, responsible).id,
        )
    for title, venue, lead, description in EXHIBITIONS:
        activity(
            title,
            "exhibition",
            cal.on_weekday("05/10/2024", 7, 30),
            cal.on_weekday("05/10/2024", 21, 0),
            venue=venues[venue],
            lead=unit(session, lead),
            audience="Người dân tham quan Ngày hội",
            audience_groups=",citizens,students,",
            description=description,
            what_to_bring=BRING_ID,
        )
    activity(
        "Chiến dịch “đi từng ngõ, gõ từng nhà, hướng dẫn từng người dân”",
        "door_to_door",
        cal.at("01/10/2024", 7, 0),
        cal.at("10/10/2024", 17, 0),
        lead=office,
        area=unit(session, "Thành phố Tân Uyên"),
        audience="Hộ gia đình trên địa bàn các xã, phường",
        audience_groups=",citizens,elderly,",
        description="Tổ công nghệ số cộng đồng hướng dẫn người dân sử dụng dịch vụ công trực tuyến, thanh toán không "
        "dùng tiền mặt, sàn thương mại điện tử, an toàn trên môi trường mạng, cài đặt ứng dụng nTrust, "
        "chữ ký số công cộng, định danh điện tử VNeID.",
        what_to_bring=BRING_ID,
        coordinators=["Thành Đoàn Tân Uyên", "Phường Uyên Hưng", "Phường Tân Phước Khánh", "Phường Khánh Bình"],
    )
    activity(
        "Lớp tập huấn kỹ năng số và an toàn thông tin cá nhân cho người dân",
        "training",
        cal.on_weekday("08/10/2024", 8, 0),
        cal.on_weekday("08/10/2024", 11, 30),
        venue=venues["Hội trường UBND thành phố Tân Uyên"],
        lead=office,
        capacity=150,
        expected_headcount=150,
        registration_open=True,
        registration_opens_at=cal.opening(cal.on_weekday("20/09/2024", 8)),
        registration_closes_at=cal.on_weekday("07/10/2024", 17),
        audience="Người dân, chú trọng người cao tuổi và các đối tượng yếu thế",
        audience_groups=",citizens,elderly,",
        description="Giới thiệu nền tảng số “Make in Viet Nam”, trí tuệ nhân tạo, trợ lý ảo và kỹ năng an toàn "
        "thông tin cá nhân.",
        what_to_bring="Điện thoại thông minh đã sạc đầy pin.",
    )
    activity(
        "Ra quân thanh toán không dùng tiền mặt tại chợ truyền thống",
        "cashless_drive",
        cal.on_weekday("06/10/2024", 6, 30),
        cal.on_weekday("06/10/2024", 10, 30),
        venue=venues["Chợ Uyên Hưng"],
        lead=unit(session, "Phòng Kinh tế"),
        audience="Tiểu thương và người dân đi chợ",
        audience_groups=",citizens,enterprises,",
        description="Hướng dẫn tiểu thương mở tài khoản, treo mã QR; người mua thanh toán bằng điện thoại.",
        coordinators=["Thành Đoàn Tân Uyên", "Phường Uyên Hưng"],
    )
    activity(
        "Tuyên truyền Ngày Chuyển đổi số trên hệ thống truyền thanh, màn hình LED và băng rôn",
        "communications",
        cal.at("15/09/2024", 7, 0),
        cal.at("31/10/2024", 17, 0),
        lead=unit(session, "Trung tâm Văn hóa – Thể thao và Truyền thanh thành phố"),
        area=unit(session, "Thành phố Tân Uyên"),
        audience="Toàn thể người dân",
        audience_groups=",citizens,",
        description="Chuyên mục phát thanh hằng tuần từ thành phố đến các xã, phường; banner “Ngày chuyển đổi số "
        "10/10” trên Cổng thông tin điện tử thành phố liên kết đến https://dx.gov.vn/.",
    )


def _load_dong_nai(session: Session, report: DemoReport, venues: dict[str, Venue]) -> None:
    cal = report.calendar
    department = unit(session, "Sở Thông tin và Truyền thông tỉnh Đồng Nai")
    plan = report.get_or_create(
        session,
        Plan,
        {"title": "Tổ chức các hoạt động hưởng ứng ngày chuyển đổi số tỉnh Đồng Nai năm 2024"},
        number=None,
        issued_on=None,
        issuing_unit_id=unit(session, "Ủy ban nhân dân tỉnh Đồng Nai").id,
        themes="CHUYỂN ĐỔI SỐ - CHUYỂN ĐỔI XANH",
        slogans="",
        period_start=cal.date("01/08/2024"),
        period_end=cal.date("10/10/2024"),
        lead_unit_id=department.id,
        report_deadline=cal.date("31/10/2024"),
        status="published",
    )
    activity = _activity_loader(session, report, plan)
    tour = activity(
        "Chuỗi hành trình phát động thi đua chuyển đổi số theo cụm",
        "cluster_tour",
        cal.on_weekday(CLUSTERS[0][4], 7, 30),
        cal.on_weekday("28/09/2024", 17, 0),
        lead=department,
        audience="Cán bộ, công chức, doanh nghiệp, đoàn viên thanh niên và nhân dân các huyện, thành phố",
        audience_groups=",citizens,civil_servants,enterprises,youth,",
        description="Không gian chính quyền số, kinh tế số, xã hội số và Book Tour tại đơn vị đăng cai; mỗi cụm "
        "2 ngày (bản dùng thử chọn ngày).",
        coordinators=["Đoàn TNCS Hồ Chí Minh tỉnh Đồng Nai", "Công an tỉnh Đồng Nai", "Hội Tin học tỉnh Đồng Nai"],
    )
    for position, (name, host, venue, participants, first_day) in enumerate(CLUSTERS, start=1):
        starts = cal.on_weekday(first_day, 7, 30)
        stop = report.get_or_create(
            session,
            TourStop,
            {"activity_id": tour.id, "position": position},
            name=name,
            host_unit_id=unit(session, host).id,
            venue_id=venues[venue].id,
            starts_at=starts,
            ends_at=starts + timedelta(days=1, hours=9, minutes=30),
        )
        if not stop.participating_units:
            stop.participating_units = [unit(session, p) for p in participants]
        report.get_or_create(
            session,
            ProgrammeItem,
            {"activity_id": tour.id, "stop_id": stop.id, "title": f"Khai mạc {name}"},
            position=0,
            starts_at=starts + timedelta(minutes=30),
            ends_at=starts + timedelta(hours=1, minutes=30),
            responsible_unit_id=stop.host_unit_id,
        )
    activity(
        "Diễn tập thực chiến ứng cứu sự cố an toàn thông tin",
        "cyber_drill",
        cal.on_weekday("03/10/2024", 8, 0),
        cal.on_weekday("03/10/2024", 17, 0),
        lead=department,
        is_public=False,
        area=unit(session, "UBND thành phố Biên Hòa"),
        audience="Đội ứng cứu sự cố An toàn thông tin tỉnh; quản trị hệ thống các sở, ban, ngành, địa phương",
        audience_groups=",civil_servants,",
        description="Ứng cứu, xử lý sự cố tấn công khai thác lỗ hổng hệ thống thông tin cấp độ 3 (Hệ thống Quản "
        "lý văn bản) và các hệ thống cấp độ 1, 2.",
    )
    ceremony = activity(
        CEREMONY,
        "ceremony",
        cal.at("10/10/2024", 8, 0),
        cal.at("10/10/2024", 11, 30),
        venue=venues["Trung tâm Tổ chức Hội nghị và sự kiện tỉnh Đồng Nai"],
        lead=department,
        expected_headcount=200,
        capacity=200,
        is_public=False,
        audience="200 cán bộ công chức, doanh nghiệp, đoàn viên thanh niên, học sinh, sinh viên và nhân dân",
        audience_groups=",civil_servants,enterprises,youth,students,",
        description="Tổng kết hoạt động; công bố kết quả và trao giải các cuộc thi; vinh danh các tập thể, cá nhân "
        "có thành tích xuất sắc.",
        coordinators=["Đoàn TNCS Hồ Chí Minh tỉnh Đồng Nai", "UBND thành phố Biên Hòa"],
    )
    for position, (start, title) in enumerate(CEREMONY_PROGRAMME):
        report.get_or_create(
            session,
            ProgrammeItem,
            {"activity_id": ceremony.id, "title": title},
            position=position,
            starts_at=cal.at("10/10/2024", *start),
            responsible_unit_id=department.id,
        )


def _activity_loader(session: Session, report: DemoReport, plan: Plan):
    def activity(
        title, kind, starts_at, ends_at, *, lead, venue=None, area=None, coordinators=(), **fields
    ) -> Activity:
        record = report.get_or_create(
            session,
            Activity,
            {"plan_id": plan.id, "title": title},
            kind=kind,
            starts_at=starts_at,
            ends_at=ends_at,
            lead_unit_id=lead.id,
            venue_id=venue.id if venue else None,
            area_unit_id=area.id if area else (venue.unit_id if venue else None),
            **fields,
        )
        if not record.coordinating_units and coordinators:
            record.coordinating_units = [unit(session, name) for name in coordinators]
        return record

    return activity
