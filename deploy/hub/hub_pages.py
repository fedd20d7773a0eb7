"""The hub's pages driven as its people use them: sign up, log in, change a password,
approve a sign-up; and starting a cohort's servers before a class (the admin page's "Start
All"). For ``make hub``, the tests and ``benchmarks/hub.py``.
"""

from __future__ import annotations

import contextlib
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from hub_process import Hub
from hub_settings import HubError


def xsrf_token(session: requests.Session, url: str) -> str:
    """The hub's form token for ``url`` (fetching the page sets it)."""
    session.get(url, timeout=30).raise_for_status()
    return session.cookies.get("_xsrf", path="/hub/") or session.cookies.get("_xsrf") or ""


def submit_form(session: requests.Session, url: str, fields: dict[str, str]) -> str:
    """Fill in the hub's form at ``url`` (its XSRF token taken from the page); the message the
    page shows after."""
    form = {"_xsrf": xsrf_token(session, url), **fields}
    response = session.post(url, data=form, timeout=30)
    response.raise_for_status()
    return page_message(response.text, "alert")


def sign_up(base: str, name: str, password: str) -> str:
    """Fill in NativeAuthenticator's sign-up form; the message the page shows."""
    fields = {
        "username": name,
        "signup_password": password,
        "signup_password_confirmation": password,
    }
    return submit_form(requests.Session(), f"{base}/hub/signup", fields)


def change_password(session: requests.Session, base: str, old: str, new: str) -> str:
    """Fill in NativeAuthenticator's change-password form as the signed-in ``session``; the
    message the page shows."""
    fields = {"old_password": old, "new_password": new, "new_password_confirmation": new}
    return submit_form(session, f"{base}/hub/change-password", fields)


def page_message(page: str, css_class: str) -> str:
    """The text of the first element with ``css_class`` (a sign-up or login message)."""
    from bs4 import BeautifulSoup

    found = BeautifulSoup(page, "html.parser").find(["p", "div"], class_=css_class)
    return " ".join(found.get_text(" ").split()) if found else "no message"


def log_in(base: str, name: str, password: str, timeout: float = 60) -> requests.Session:
    """A session logged in to the hub as ``name``; raises HubError with the hub's reason."""
    session = requests.Session()
    token = xsrf_token(session, f"{base}/hub/login")
    response = session.post(
        f"{base}/hub/login?next=/hub/home",
        data={"_xsrf": token, "username": name, "password": password},
        timeout=timeout,
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise HubError(f"{name} could not log in: {page_message(response.text, 'login_error')}")
    return session


def approve(trainer: requests.Session, base: str, name: str) -> None:
    """The trainer approves ``name`` on the authorisation page (its button posts the form,
    with the page's form token)."""
    token = xsrf_token(trainer, f"{base}/hub/authorize")
    trainer.post(
        f"{base}/hub/authorize/{name}", data={"_xsrf": token}, timeout=30
    ).raise_for_status()


def prestart(hub: Hub, names: list[str], stop_first: bool = False, timeout: float = 900) -> None:
    """Start these users' servers before a class (what the admin page's "Start All" does)."""
    if stop_first:
        for name in names:
            with contextlib.suppress(requests.HTTPError):
                hub.api("DELETE", f"/users/{name}/server")
        _wait(hub, names, lambda server: not server, timeout)

    def start(name: str) -> None:
        with contextlib.suppress(requests.HTTPError):  # 400: already running
            hub.api("POST", f"/users/{name}/server")

    with ThreadPoolExecutor(max_workers=16) as pool:  # all at once, as "Start All" does
        list(pool.map(start, names))
    _wait(hub, names, lambda server: bool(server.get("ready")), timeout)
    hub.remember()


def _wait(hub: Hub, names: list[str], done, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    waiting = set(names)
    while waiting and time.monotonic() < deadline:
        users = {u["name"]: u for u in hub.api("GET", "/users").json()}
        waiting = {n for n in waiting if not done(users[n]["servers"].get("", {}))}
        time.sleep(0.5)
    if waiting:
        raise HubError(f"servers of {sorted(waiting)} not ready in {timeout:.0f} s")
