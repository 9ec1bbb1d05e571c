from allauth.account.auth_backends import AuthenticationBackend


class ClubAuthenticationBackend(AuthenticationBackend):
    """allauth's backend, except that only a verified mobile number logs a member in:
    an unverified one could have been typed by anybody."""

    def _authenticate_by_phone(self, phone, password):
        user = super()._authenticate_by_phone(phone, password)
        return user if user is not None and user.mobile_verified else None
