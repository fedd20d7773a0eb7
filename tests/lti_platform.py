"""An LTI 1.3 platform (the LMS's side: what Moodle or Canvas does) on 127.0.0.1, for the hub's
LMS sign-in test.

Built on ``lti1p3platform`` (PyPI: an LTI 1.3 *platform* implementation; ``pylti1p3`` is the
tool's side only): its registration signs the id_token with the platform's RSA key and serves
the key set, its OIDC login builds the login initiation, its message launch checks the tool's
authentication request and builds the launch message. This module adds what a web framework
would: a small HTTP server, a course page with a link to the hub, and the auto-submitting form
that POSTs the id_token to the hub. It is served under the name ``localhost`` while the hub is
``127.0.0.1``: another site, as a real platform is, so cookies cross sites as they will.

Two launches a broken or hostile platform would send can be asked for (``tamper``): an
id_token signed with a key the platform never published (``signature``) and one for another
tool (``audience``).
"""

from __future__ import annotations

import html
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import MessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration

INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
CLIENT_ID = "wholeschool-hub"
DEPLOYMENT_ID = "1"


@dataclass(frozen=True)
class Member:
    """Someone on the platform: its stable id (``sub``), e-mail and course roles."""

    sub: str
    email: str
    name: str
    roles: tuple[str, ...]


def pem_pair() -> tuple[str, str]:
    """A new RSA key: (private PEM, public PEM)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


class Platform:
    """The platform, its course's members, and the hub registered with it as a tool."""

    def __init__(self, hub_url: str, members: dict[str, Member]) -> None:
        self.members = members
        self.private_key, self.public_key = pem_pair()
        self.forged_key, _ = pem_pair()  # never published in the key set
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://localhost:{self.server.server_address[1]}"
        # What the trainer's IT team registers on the platform (hub README).
        self.login_url = f"{hub_url}/hub/lti13/oauth_login"
        self.redirect_url = f"{hub_url}/hub/lti13/oauth_callback"
        self.target_link = f"{hub_url}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # What the hub is told about the platform (WHOLESCHOOL_HUB_LTI_*).
    @property
    def issuer(self) -> str:
        return self.url

    @property
    def authorize_url(self) -> str:
        return f"{self.url}/auth"

    @property
    def jwks_url(self) -> str:
        return f"{self.url}/jwks"

    def hub_environment(self) -> dict[str, str]:
        return {
            "WHOLESCHOOL_HUB_SIGN_IN": "lti",
            "WHOLESCHOOL_HUB_LTI_ISSUER": self.issuer,
            "WHOLESCHOOL_HUB_LTI_CLIENT_ID": CLIENT_ID,
            "WHOLESCHOOL_HUB_LTI_AUTHORIZE_URL": self.authorize_url,
            "WHOLESCHOOL_HUB_LTI_JWKS_URL": self.jwks_url,
        }

    def start(self) -> Platform:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def course_page(self, member: str, tamper: str = "") -> str:
        """The address of the course's page on the platform as ``member`` sees it."""
        query = urlencode({"member": member, **({"tamper": tamper} if tamper else {})})
        return f"{self.url}/course?{query}"

    def configuration(self) -> PlatformConf:
        conf = PlatformConf(platform=self)
        conf.get_registration()
        return conf


class PlatformConf(LTI1P3PlatformConfAbstract):
    """lti1p3platform's registration of the hub as a tool on this platform."""

    def init_platform_config(self, platform: Platform) -> None:
        self.platform = platform

    def get_registration_by_params(self, **kwargs) -> Registration:
        p = self.platform
        return (
            Registration()
            .set_iss(p.issuer)
            .set_client_id(CLIENT_ID)
            .set_deployment_id(DEPLOYMENT_ID)
            .set_launch_url(p.target_link)
            .set_oidc_login_url(p.login_url)
            .set_platform_public_key(p.public_key)
            .set_platform_private_key(p.private_key)
        )


class Login(OIDCLoginAbstract):
    """Step 1: the platform sends the browser to the hub's login initiation URL."""

    def set_lti_message_hint(self, **kwargs) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class Launch(MessageLaunchAbstract):
    """Step 3: the hub's authentication request answered with a signed id_token, POSTed by
    the browser to the hub's redirect URL."""

    def __init__(self, query: dict[str, str], conf: PlatformConf) -> None:
        super().__init__(query, conf)
        self.query = query
        self.platform = conf.platform
        member, _, self.tamper = query.get("lti_message_hint", "").partition(":")
        self.member = self.platform.members.get(member)

    def get_preflight_response(self) -> dict[str, str]:
        return self.query

    def prepare_launch(self, preflight_response: dict[str, str]) -> None:
        # As a platform must: the person signed in is the one the login was started for, and
        # the id_token goes only to the address registered for the tool.
        if self.member is None or preflight_response.get("login_hint") != self.member.sub:
            raise PermissionError("login_hint is not the member who started the launch")
        if preflight_response.get("redirect_uri") != self.platform.redirect_url:
            raise PermissionError("redirect_uri is not the one registered for the tool")
        self.set_user_data(
            self.member.sub,
            list(self.member.roles),
            full_name=self.member.name,
            email_address=self.member.email,
        )
        self.set_resource_link_claim("course-hub-link", title="Course hub")
        self.set_launch_context_claim(
            "wholeschool-2026", context_title="Whole-school mental health", context_label="WSMH"
        )

    def get_launch_message(self, include_extra_claims: bool = True) -> dict:
        message = super().get_launch_message(include_extra_claims)
        if self.tamper == "audience":
            message["aud"] = message["azp"] = "another-tool"
        return message

    def generate_launch_request(self):
        launch = super().generate_launch_request()
        if self.tamper == "signature":
            registration = self.platform.configuration().get_registration()
            claims = jwt.decode(launch["id_token"], options={"verify_signature": False})
            launch["id_token"] = jwt.encode(
                claims,
                self.platform.forged_key,
                algorithm="RS256",
                headers={"kid": registration.get_kid()},
            )
        return launch

    def render_launch_form(self, launch_data: dict, **kwargs) -> str:
        fields = "".join(
            f'<input type="hidden" name="{name}" value="{html.escape(launch_data[name])}">'
            for name in ("id_token", "state")
        )
        return (
            "<!doctype html><title>Opening the course hub</title>"
            f'<form id="launch" method="post" action="{html.escape(launch_data["launch_url"])}">'
            f"{fields}<noscript><button>Continue</button></noscript></form>"
            "<script>document.getElementById('launch').submit()</script>"
        )


def _handler(platform: Platform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # quiet
            return

        def send(self, status: int, body: str, kind: str = "text/html; charset=utf-8") -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            address = urlparse(self.path)
            query = dict(parse_qsl(address.query))
            conf = platform.configuration()
            if address.path == "/jwks":
                self.send(200, json.dumps(conf.get_jwks()), "application/json")
            elif address.path == "/course":
                member = platform.members.get(query.get("member", ""))
                if member is None:
                    self.send(404, "no such member")
                    return
                launch = f"/launch?{urlencode(query)}"
                self.send(
                    200,
                    "<!doctype html><title>Whole-school mental health: course page</title>"
                    "<h1>Whole-school mental health</h1>"
                    f"<p>Signed in to the school's course platform as {html.escape(member.name)}"
                    "</p>"
                    f'<p><a id="hub" href="{html.escape(launch)}">Course hub</a></p>',
                )
            elif address.path == "/launch":
                member = platform.members.get(query.get("member", ""))
                if member is None:
                    self.send(404, "no such member")
                    return
                login = Login(query, conf)
                login.set_lti_message_hint(hint=f"{query['member']}:{query.get('tamper', '')}")
                self.send_response(302)
                self.send_header("Location", login.initiate_login(member.sub))
                self.end_headers()
            elif address.path == "/auth":
                try:
                    self.send(200, Launch(query, conf).lti_launch())
                except Exception as error:  # the platform refuses; the test reads why
                    self.send(400, f"launch refused by the platform: {html.escape(str(error))}")
            else:
                self.send(404, "not found")

    return Handler
