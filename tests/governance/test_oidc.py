"""Sign-in through an OIDC provider, against a real provider served by the test on loopback:
PKCE code flow, ID-token checks, role mapping, multi-factor, provisioning, audit."""

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc.jwk import ECKey, RSAKey
from pydantic import ValidationError

from rtcc.core.clock import utcnow
from rtcc.governance.authz import DecisionPoint
from rtcc.governance.identity import hash_password
from rtcc.governance.login import Login, LoginRefused
from rtcc.governance.oidc import CallbackParams, OidcSignIn, SignInStart
from rtcc.governance.oidc_config import CLIENT_SECRET_ENV, OidcSettings
from rtcc.governance.roles import Role
from rtcc.storage.base import Storage
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, LoopbackProvider, running_provider

REDIRECT = "http://127.0.0.1:8080/auth/oidc/callback"
ROLE_MAP = {"rtcc-admins": "admin", "rtcc-analysts": "analyst", "rtcc-auditors": "auditor"}


def oidc_settings(issuer: str, /, **extra: Any) -> OidcSettings:
    values: dict[str, Any] = {
        "enabled": True,
        "display_name": "Agency SSO",
        "issuer": issuer,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_url": REDIRECT,
        "role_map": ROLE_MAP,
        "mfa_acr_values": ["urn:agency:loa:high"],
    }
    return OidcSettings.model_validate(values | extra)


@pytest.fixture
def provider() -> Iterator[LoopbackProvider]:
    with running_provider(REDIRECT) as idp:
        yield idp


@pytest.fixture
def storage(backend: Storage) -> Storage:
    return backend


@pytest.fixture
def sign_in(provider: LoopbackProvider, storage: Storage) -> OidcSignIn:
    return OidcSignIn(
        oidc_settings(provider.issuer), storage.accounts, DecisionPoint(storage.audit)
    )


def at_provider(start: SignInStart) -> CallbackParams:
    """What the browser does: visit the provider, come back with its answer."""
    answer = httpx.get(start.authorize_url, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == REDIRECT
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    return CallbackParams(query.get("state"), query.get("code"), None, None, start.binding)


def full_sign_in(sign_in: OidcSignIn) -> Any:
    return sign_in.complete(at_provider(sign_in.begin("/wall", utcnow())), utcnow())


def refused(sign_in: OidcSignIn, answer: CallbackParams | None = None) -> LoginRefused:
    with pytest.raises(LoginRefused) as caught:
        if answer is None:
            full_sign_in(sign_in)
        else:
            sign_in.complete(answer, utcnow())
    return caught.value


def last_login_row(storage: Storage) -> dict[str, Any]:
    rows = [r for r in storage.audit.recent(50) if r["action"] == "auth.login"]
    return rows[0]


def test_authorize_request_uses_pkce_s256_state_and_nonce(sign_in: OidcSignIn) -> None:
    query = parse_qs(urlsplit(sign_in.begin("/", utcnow()).authorize_url).query)
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) == 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["redirect_uri"] == [REDIRECT]
    assert query["scope"] == ["openid profile"]


def test_first_sign_in_creates_an_external_account_with_the_mapped_role(
    sign_in: OidcSignIn, storage: Storage, provider: LoopbackProvider
) -> None:
    done = full_sign_in(sign_in)
    assert done.next_path == "/wall"
    user = storage.accounts.get_user("jdoe")
    assert user is not None
    assert (user.role, user.external_issuer, user.external_subject) == (
        "analyst",
        provider.issuer,
        "u-1001",
    )
    # the verifier that redeemed the code is the one behind the challenge (the provider checks)
    assert provider.token_requests[-1]["code_verifier"]
    row = last_login_row(storage)
    assert (row["actor"], row["outcome"]) == ("jdoe", "allow")
    assert row["reason"].startswith("oidc: signed in through Agency SSO")
    assert "role analyst from groups 'rtcc-analysts'" in row["reason"]
    # no password works for an external account
    with pytest.raises(LoginRefused):
        Login(storage.accounts, DecisionPoint(storage.audit)).authenticate(
            "jdoe", "!external", None, utcnow()
        )


def test_role_follows_the_provider_at_each_sign_in(
    sign_in: OidcSignIn, storage: Storage, provider: LoopbackProvider
) -> None:
    full_sign_in(sign_in)
    provider.user["groups"] = ["rtcc-auditors", "rtcc-analysts"]  # map order decides
    provider.user["preferred_username"] = "john.doe"  # renamed at the IdP: same account
    assert full_sign_in(sign_in).user.username == "jdoe"
    user = storage.accounts.get_user("jdoe")
    assert user is not None and user.role == "analyst"
    provider.user["groups"] = ["rtcc-auditors"]
    full_sign_in(sign_in)
    user = storage.accounts.get_user("jdoe")
    assert user is not None and user.role == "auditor"
    assert storage.accounts.get_user("john.doe") is None


@pytest.mark.parametrize(
    ("bend", "code"),
    [
        ({"nonce": "not-the-nonce-we-sent"}, "oidc_nonce"),
        ({"nonce": None}, "oidc_nonce"),
        ({"aud": "another-client"}, "oidc_audience"),
        ({"iss": "https://evil.example"}, "oidc_issuer"),
        ({"exp": int(time.time()) - 3600}, "oidc_expired"),
        ({"iat": int(time.time()) + 3600}, "oidc_claims"),
    ],
)
def test_bad_id_tokens_are_refused_with_the_reason(
    sign_in: OidcSignIn,
    storage: Storage,
    provider: LoopbackProvider,
    bend: dict[str, Any],
    code: str,
) -> None:
    provider.claims = bend
    exc = refused(sign_in)
    assert (exc.code, exc.status, exc.field) == (code, 401, "oidc")
    assert storage.accounts.get_user("jdoe") is None
    row = last_login_row(storage)
    assert row["outcome"] == "deny" and row["reason"].startswith(f"{code}: ")


def test_a_token_signed_by_another_key_is_refused(
    sign_in: OidcSignIn, storage: Storage, provider: LoopbackProvider
) -> None:
    provider.sign_with = RSAKey.generate_key(2048, parameters={"kid": "test-rsa"})
    exc = refused(sign_in)
    assert exc.code == "oidc_signature"
    assert "signature" in exc.message
    assert last_login_row(storage)["reason"].startswith("oidc_signature: ")


def test_es256_tokens_are_verified_too(storage: Storage) -> None:
    with running_provider(REDIRECT) as idp:
        idp.key = ECKey.generate_key("P-256", parameters={"kid": "test-ec"})
        rp = OidcSignIn(oidc_settings(idp.issuer), storage.accounts, DecisionPoint(storage.audit))
        assert full_sign_in(rp).user.username == "jdoe"
        idp.sign_with = ECKey.generate_key("P-256", parameters={"kid": "test-ec"})
        assert refused(rp).code == "oidc_signature"


def test_state_is_single_use_and_bound_to_the_browser(
    sign_in: OidcSignIn, storage: Storage
) -> None:
    answer = at_provider(sign_in.begin("/", utcnow()))
    other_browser = CallbackParams(answer.state, answer.code, None, None, "someone-else")
    assert refused(sign_in, other_browser).code == "oidc_state"
    # the state was spent by that attempt: the rightful browser must start again
    assert refused(sign_in, answer).code == "oidc_state"
    fresh = at_provider(sign_in.begin("/", utcnow()))
    sign_in.complete(fresh, utcnow())
    assert refused(sign_in, fresh).code == "oidc_state"  # replaying a used answer
    forged = CallbackParams("made-up", "code", None, None, fresh.binding)
    assert refused(sign_in, forged).message.startswith("this answer matches no sign-in")


def test_a_provider_error_is_shown_and_audited(sign_in: OidcSignIn, storage: Storage) -> None:
    start = sign_in.begin("/", utcnow())
    state = parse_qs(urlsplit(start.authorize_url).query)["state"][0]
    answer = CallbackParams(state, None, "access_denied", "user cancelled", start.binding)
    exc = refused(sign_in, answer)
    assert exc.code == "oidc_provider_error"
    assert exc.message == "the identity provider refused: access_denied (user cancelled)"
    assert last_login_row(storage)["outcome"] == "deny"


def test_an_unmapped_group_is_refused_and_nothing_is_created(
    sign_in: OidcSignIn, storage: Storage, provider: LoopbackProvider
) -> None:
    provider.user["groups"] = ["parking-enforcement"]
    exc = refused(sign_in)
    assert (exc.code, exc.status) == ("oidc_role_unmapped", 403)
    assert "parking-enforcement" in exc.message and "oidc.role_map" in exc.message
    assert storage.accounts.get_user("jdoe") is None
    row = last_login_row(storage)
    assert (row["actor"], row["outcome"]) == ("jdoe", "deny")
    provider.user.pop("groups")
    assert refused(sign_in).message.startswith("no OpenRTCC role is mapped to your 'groups' (none)")


def test_mfa_roles_need_the_provider_to_assert_mfa(
    sign_in: OidcSignIn,
    storage: Storage,
    provider: LoopbackProvider,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RTCC_MFA_REQUIRED", "true")
    provider.user["amr"] = ["pwd"]
    exc = refused(sign_in)
    assert (exc.code, exc.status) == ("oidc_mfa_required", 403)
    assert "role analyst needs multi-factor" in exc.message
    assert storage.accounts.get_user("jdoe") is None
    provider.user["acr"] = "urn:agency:loa:high"  # a configured acr counts
    assert full_sign_in(sign_in).user.role == "analyst"
    provider.user.pop("acr")
    provider.user["amr"] = ["pwd", "hwk"]
    assert "amr ['pwd', 'hwk']" in (full_sign_in(sign_in) and last_login_row(storage)["reason"])
    provider.user["amr"] = None  # absent
    provider.user["groups"] = ["rtcc-auditors"]  # a role that needs no second factor
    assert full_sign_in(sign_in).user.role == "auditor"


def test_a_local_account_of_the_same_name_is_not_taken_over(
    provider: LoopbackProvider, storage: Storage
) -> None:
    storage.accounts.add_user("jdoe", hash_password("correct horse"), "officer")
    decisions = DecisionPoint(storage.audit)
    strict = OidcSignIn(oidc_settings(provider.issuer), storage.accounts, decisions)
    exc = refused(strict)
    assert (exc.code, exc.status) == ("oidc_account_conflict", 409)
    linking = oidc_settings(provider.issuer, link_existing_accounts=True)
    done = full_sign_in(OidcSignIn(linking, storage.accounts, decisions))
    assert done.user.external_subject == "u-1001" and done.user.role == "analyst"
    with pytest.raises(LoginRefused):  # the old password no longer signs in
        Login(storage.accounts, decisions).authenticate("jdoe", "correct horse", None, utcnow())


def test_a_locked_account_is_refused(
    sign_in: OidcSignIn, storage: Storage, provider: LoopbackProvider
) -> None:
    full_sign_in(sign_in)
    storage.accounts.set_locked_until("jdoe", utcnow().replace(year=2099))
    assert refused(sign_in).code == "oidc_locked"


def test_an_unreachable_provider_is_refused_and_audited(storage: Storage) -> None:
    with running_provider(REDIRECT) as idp:
        issuer = idp.issuer
    rp = OidcSignIn(oidc_settings(issuer), storage.accounts, DecisionPoint(storage.audit))
    with pytest.raises(LoginRefused) as caught:
        rp.begin("/", utcnow())
    assert (caught.value.code, caught.value.status) == ("oidc_provider", 502)
    assert "discovery unreachable" in caught.value.message
    assert last_login_row(storage)["reason"].startswith("oidc_provider: ")


def test_discovery_must_name_the_configured_issuer(
    provider: LoopbackProvider, storage: Storage
) -> None:
    settings = oidc_settings(provider.issuer + "/")  # not what the provider calls itself
    rp = OidcSignIn(settings, storage.accounts, DecisionPoint(storage.audit))
    with pytest.raises(LoginRefused) as caught:
        rp.begin("/", utcnow())
    assert "not the configured" in caught.value.message


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"issuer": None}, "oidc.issuer: required"),
        ({"issuer": "http://idp.agency.gov/realms/rtcc"}, "oidc.issuer: must use https://"),
        ({"redirect_url": "https://rtcc.agency.gov/cb"}, "oidc.redirect_url: its path must be"),
        ({"role_map": {}}, "oidc.role_map: map at least one value"),
        ({"role_map": {"feeds": "source"}}, "'feeds' maps to 'source'"),
        ({"role_map": {"x": "superuser"}}, "role_map.x"),
        ({"scopes": ["profile"]}, "oidc.scopes: must include 'openid'"),
        ({"client_secret": None}, f"oidc.client_secret: required; set the {CLIENT_SECRET_ENV}"),
        ({"id_token_algorithms": ["HS256"]}, "id_token_algorithms.0"),
    ],
)
def test_invalid_configuration_is_refused_naming_the_setting(
    change: dict[str, Any], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CLIENT_SECRET_ENV, raising=False)
    with pytest.raises(ValidationError) as caught:
        oidc_settings("https://idp.agency.gov/realms/rtcc", **change)
    assert message in str(caught.value)


def test_the_client_secret_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(CLIENT_SECRET_ENV, "from-env")
    settings = oidc_settings("https://idp.agency.gov/realms/rtcc", client_secret=None)
    assert settings.secret() == "from-env"
    assert "from-env" not in repr(settings)
    assert OidcSettings().enabled is False  # off by default, nothing required
    assert Role.ADMIN in oidc_settings("https://idp.agency.gov").role_map.values()
