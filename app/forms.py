"""Forms of the core: sign-in, password, users and units. Forms check shape; services hold the rules."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Email, EqualTo, InputRequired, Length, Optional, Regexp

from .fields import MultiCheckboxField, PhoneField
from .models import Role, UnitKind
from .submissions import new_key
from .text import ascii_digits, forbidden_characters, nfc
from .urls import MAX_DB_INT
from .wtforms_i18n import BabelTranslations

# ASCII digits only: Python's \d would also match fullwidth and Arabic-Indic digits.
PHONE_PATTERN = r"^(0[35789][0-9]{8}|\+84[35789][0-9]{8})$"


def role_choices():
    return Role.choices()


def unit_kind_choices():
    return UnitKind.choices()


def is_phone_field(field) -> bool:
    return isinstance(field, PhoneField) or field.short_name == "phone" or field.short_name.endswith("_phone")


def _text_filter(field):
    """What every text field of every form does to its input before any validator: refuse control characters
    (NUL, ESC…; line breaks only in a multi-line box), then one Unicode spelling (NFC), or ASCII digits in a
    phone field. Passwords are checked but never rewritten (they must match what was hashed)."""
    multiline = isinstance(field, TextAreaField)
    rewrite = None if isinstance(field, PasswordField) else (ascii_digits if is_phone_field(field) else nfc)

    def clean(value):
        if not isinstance(value, str):
            return value
        if forbidden_characters(value, multiline=multiline):
            raise ValueError(_l("Remove the invisible control characters from this field."))
        return rewrite(value) if rewrite else value

    return clean


def _integer_filter(value):
    """Integers fit the database's INTEGER columns (capacity 99999999999 is a field error, not a crash)."""
    if isinstance(value, int) and not -MAX_DB_INT <= value <= MAX_DB_INT:
        raise ValueError(_l("This number is too large."))
    return value


class Form(FlaskForm):
    """Every dxday form: CSRF from Flask-WTF, WTForms' own messages in the user's language, and hostile input
    refused on every field (see ``_text_filter`` and ``_integer_filter``), before the form's own filters."""

    class Meta:
        def get_translations(self, form):
            return BabelTranslations()

        def bind_field(self, form, unbound_field, options):
            field = unbound_field.bind(form=form, **options)
            if isinstance(field, StringField):
                field.filters = (_text_filter(field), *field.filters)
            elif isinstance(field, IntegerField):
                field.filters = (_integer_filter, *field.filters)
            return field

    def add_domain_error(self, error) -> None:
        """Show a service's ``DomainError`` on the field it names, or above the form when it names none."""
        field = getattr(self, error.field or "", None)
        if field is not None:
            field.errors = list(field.errors) + [error.message]
        else:
            self.form_errors.append(error.message)


class OnceForm(Form):
    """A creation form: its hidden key makes a double submit write once (see app/submissions.py)."""

    submission = HiddenField(default=new_key)


class LoginForm(Form):
    login = StringField(
        _l("Email or phone number"),
        validators=[InputRequired(_l("Enter your email or phone number.")), Length(max=254)],
    )
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Enter your password.")), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this device"))
    submit = SubmitField(_l("Sign in"))


class ChangePasswordForm(Form):
    current_password = PasswordField(
        _l("Current password"), validators=[InputRequired(_l("Enter your current password."))]
    )
    new_password = PasswordField(
        _l("New password"),
        validators=[
            InputRequired(_l("Enter a new password.")),
            Length(min=10, max=200, message=_l("The password must have at least 10 characters.")),
        ],
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[
            InputRequired(_l("Repeat the new password.")),
            EqualTo("new_password", message=_l("The two passwords do not match.")),
        ],
    )
    submit = SubmitField(_l("Change password"))


class UserForm(Form):
    name = StringField(_l("Full name"), validators=[InputRequired(_l("Enter the full name.")), Length(max=120)])
    email = EmailField(
        _l("Email"),
        validators=[
            InputRequired(_l("Enter an email address.")),
            Email(_l("This is not a valid email address."), check_deliverability=False),
            Length(max=254),
        ],
    )
    phone = PhoneField(
        _l("Phone number"),
        validators=[
            Optional(),
            Regexp(
                PHONE_PATTERN,
                message=_l("A phone number has 10 digits starting with 03, 05, 07, 08 or 09, or starts with +84."),
            ),
        ],
    )
    unit_id = SelectField(_l("Unit"), coerce=int, validators=[Optional()])
    roles = MultiCheckboxField(
        _l("Roles"), choices=role_choices, validators=[InputRequired(_l("Choose at least one role."))]
    )
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(min=10, max=200, message=_l("The password must have at least 10 characters."))],
        description=_l("Leave empty to keep the current password."),
    )
    active = BooleanField(_l("Active"), default=True)
    submit = SubmitField(_l("Save"))


class UnitForm(Form):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter the unit's name.")), Length(max=200)])
    short_name = StringField(_l("Short name"), validators=[Optional(), Length(max=80)])
    kind = SelectField(_l("Kind"), choices=unit_kind_choices, validators=[InputRequired()])
    parent_id = SelectField(_l("Belongs to"), coerce=int, validators=[Optional()])
    submit = SubmitField(_l("Save"))


class LanguageForm(Form):
    """The language switch: a tiny form, so the switch is CSRF-protected like every other write."""

    lang = StringField(validators=[InputRequired()])
    next = StringField(validators=[Optional()])


class ConfirmForm(Form):
    """An empty form carrying only the CSRF token, for buttons that change state."""
