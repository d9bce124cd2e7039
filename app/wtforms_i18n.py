"""WTForms' own messages ("This field is required.", "Not a valid choice.", ...) through our catalogues.

WTForms ships no Vietnamese catalogue, so its messages are listed here for extraction and looked up in
dxday's own catalogue; every form's errors then appear in the user's language."""

from flask_babel import get_translations, ngettext
from flask_babel import lazy_gettext as _l


class BabelTranslations:
    """The object WTForms asks for ``gettext``/``ngettext``; answers from dxday's catalogue.

    WTForms fills in ``%(max)d`` and friends itself, so the catalogue's raw translations are returned:
    Flask-Babel's own ``gettext``/``ngettext`` would try to fill them first and fail.

    One is made per form (``Form.Meta.get_translations``): the catalogue is looked up then, once, rather than through
    Flask-Babel's request context at every field's message (a form binds a dozen)."""

    def __init__(self):
        self.translations = get_translations()

    def gettext(self, string: str) -> str:
        return self.translations.ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ungettext(singular, plural, n)


# Listed only so that `make extract` puts them in the catalogues.
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid URL."),
    _l("Field must be equal to %(other_name)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Date must be at least %(min)s."),
    _l("Date must be at most %(max)s."),
    _l("Date must be between %(min)s and %(max)s."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid value, can't be any of: %(values)s."),
    _l("Invalid Choice: could not coerce."),
    _l("Not a valid choice."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
    _l("The CSRF token is missing."),
    _l("This field cannot be edited."),
)


def _plurals():  # pragma: no cover - extraction only
    ngettext("Field must be at least %(min)d character long.", "Field must be at least %(min)d characters long.", 1)
    ngettext("Field cannot be longer than %(max)d character.", "Field cannot be longer than %(max)d characters.", 1)
    ngettext("Field must be exactly %(max)d character long.", "Field must be exactly %(max)d characters long.", 1)
    ngettext(
        "'%(value)s' is not a valid choice for this field.", "'%(value)s' are not valid choices for this field.", 1
    )
