"""OAuth 2.0 as ShootProof runs it: an authorize page and a token endpoint.

``GET  /oauth2/authorization/new``   the page where the studio owner approves an app
                                     (``response_type=code, client_id, redirect_uri, scope, state``)
``POST /oauth2/authorization/new``   the page's Approve / Deny buttons: redirect to
                                     ``redirect_uri?code=..&state=..``, or for ``redirect_uri=self``
                                     show the code to paste into a desktop app
``POST /oauth2/authorization/token`` ``grant_type=authorization_code`` (code, redirect_uri, client_id) or
                                     ``grant_type=refresh_token`` (refresh_token)

The sandbox studio's owner is always signed in, so there is no login step; that
makes the approve form the thing to protect. Only registered redirect URIs are
accepted: ``self`` and loopback addresses on any port (``http://127.0.0.1``,
``http://localhost``, ``http://[::1]``), the ones a desktop app can listen on; any
other is refused on the page and never redirected to. The consent page sets a
random browser cookie and puts a CSRF token in the form, an HMAC over that cookie
and the request; a POST without both, or with a token used before, is refused.

The token endpoint answers as ShootProof's auth docs show:
``{"stat": "ok", "access_token", "refresh_token", "token_type", "expires_in"}``
and ``{"stat": "fail", "code": <OAuth error>, "msg": <description>}``.
"""

from __future__ import annotations

import hmac
import html
import secrets
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from studio_desktop.sandbox.registry import REGISTRY, UPGRADE_SCOPE
from studio_desktop.sandbox.state import StudioState
from studio_desktop.sandbox.tokens import OAuthError

SELF = "self"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
CSRF_COOKIE = "sp_oauth_browser"
CSRF_FIELD = "csrf_token"
CSRF_LIFETIME = 3600

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto; color: #222; }}
h1 {{ font-size: 1.4em; }} .box {{ border: 1px solid #ccc; border-radius: 8px; padding: 1.5em; }}
button {{ font-size: 1em; padding: .5em 1.5em; margin-right: 1em; }}
code#authorization-code {{ font-size: 1.3em; background: #f3f3f3; padding: .3em .6em; user-select: all; }}
.scopes {{ max-height: 14em; overflow: auto; font-family: monospace; font-size: .85em; }}
</style></head>
<body><div class="box">{body}</div><p><small>ShootProof sandbox studio</small></p></body></html>"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(PAGE.format(title=html.escape(title), body=body), status_code=status, headers=NO_STORE)


def known_scopes() -> frozenset[str]:
    return frozenset(REGISTRY) | {UPGRADE_SCOPE}


def _redirect_uri_error(redirect_uri: str) -> str | None:
    if redirect_uri == SELF:
        return None
    refused = (
        'The redirect_uri is not registered for this app: use "self" or a loopback address '
        "(http://127.0.0.1:<port>/..., http://localhost:<port>/...)."
    )
    try:
        parts = urlsplit(redirect_uri)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return refused
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS or "@" in parts.netloc or parts.fragment:
        return refused
    return None


def _with_query(uri: str, params: dict[str, str]) -> str:
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


class OAuthRoutes:
    def __init__(self, state: StudioState):
        self.state = state
        self._log: list[tuple[str, str]] = []
        self._log_lock = threading.Lock()
        self._used_nonces: set[str] = set()

    def routes(self) -> list[Route]:
        return [
            Route("/oauth2/authorization/new", self.authorize, methods=["GET", "POST"]),
            Route("/oauth2/authorization/token", self.token, methods=["POST"]),
        ]

    def entries(self) -> list[tuple[str, str]]:
        """(grant type or "authorize", outcome) of every OAuth request so far."""
        with self._log_lock:
            return list(self._log)

    def _note(self, what: str, outcome: str) -> None:
        with self._log_lock:
            self._log.append((what, outcome))

    async def authorize(self, request: Request) -> Response:
        params = dict(request.query_params)
        if request.method == "POST":
            form = await request.form()
            params.update({k: v for k, v in form.items() if isinstance(v, str)})
        client_id = params.get("client_id", "").strip()
        redirect_uri = params.get("redirect_uri", "").strip()
        state = params.get("state")
        if not client_id:
            return _page(
                "Cannot authorize", "<h1>Cannot authorize this app</h1><p>The request has no client_id.</p>", 400
            )
        if not redirect_uri or (problem := _redirect_uri_error(redirect_uri)):
            message = problem if redirect_uri and problem else "The request has no redirect_uri."
            return _page("Cannot authorize", f"<h1>Cannot authorize this app</h1><p>{html.escape(message)}</p>", 400)

        def refuse(error: str, description: str) -> Response:
            self._note("authorize", error)
            if redirect_uri == SELF:
                return _page(
                    "Cannot authorize",
                    f"<h1>Cannot authorize this app</h1><p>{html.escape(description)}"
                    f"</p><p>Error: <code>{html.escape(error)}</code></p>",
                    400,
                )
            answer = {"error": error, "error_description": description}
            if state is not None:
                answer["state"] = state
            return RedirectResponse(_with_query(redirect_uri, answer), status_code=302)

        if params.get("response_type") != "code":
            return refuse("unsupported_response_type", 'Only response_type "code" is supported.')
        scopes = params.get("scope", "").replace(",", " ").split()
        if not scopes:
            return refuse("invalid_scope", "The request asks for no scope: list the method names it needs.")
        unknown = sorted(set(scopes) - known_scopes())
        if unknown:
            return refuse("invalid_scope", f"Unknown scope: {', '.join(unknown)}.")
        if request.method == "GET":
            return await self._consent_page(request, client_id, redirect_uri, " ".join(scopes), state, params)
        if not self._csrf_ok(request, params):
            self._note("authorize", "csrf_refused")
            return _page(
                "Cannot authorize",
                "<h1>Cannot authorize this app</h1><p>This form has expired or did not "
                "come from this page. Open the app's sign-in link again.</p>",
                403,
            )
        if params.get("decision") != "approve":
            return refuse("access_denied", "The studio owner denied the request.")
        code = await anyio.to_thread.run_sync(self.state.tokens.create_code, client_id, redirect_uri, " ".join(scopes))
        self._note("authorize", "approved")
        if redirect_uri == SELF:
            return _page(
                "App authorized",
                f"<h1>{html.escape(client_id)} is authorized</h1>"
                "<p>Copy this code and paste it into the app:</p>"
                f'<p><code id="authorization-code">{html.escape(code)}</code></p>'
                "<p><small>The code works once and expires in 10 minutes.</small></p>",
            )
        answer = {"code": code}
        if state is not None:
            answer["state"] = state
        return RedirectResponse(_with_query(redirect_uri, answer), status_code=302)

    def _csrf_mac(self, browser: str, nonce: str, expires: str, params: dict[str, str]) -> str:
        bound = [params.get(k, "") for k in ("client_id", "redirect_uri", "scope", "state")]
        return self.state.signer.mac("oauth-csrf", browser, nonce, expires, *bound)

    def _csrf_token(self, browser: str, params: dict[str, str]) -> str:
        nonce, expires = secrets.token_urlsafe(12), str(int(self.state.clock.now()) + CSRF_LIFETIME)
        return f"{nonce}.{expires}.{self._csrf_mac(browser, nonce, expires, params)}"

    def _csrf_ok(self, request: Request, params: dict[str, str]) -> bool:
        """The form's token was made for this browser's cookie and these parameters, is fresh and unused."""
        browser = request.cookies.get(CSRF_COOKIE, "")
        nonce, _, rest = params.get(CSRF_FIELD, "").partition(".")
        expires, _, mac = rest.partition(".")
        if not browser or not nonce or not expires.isdigit() or int(expires) <= self.state.clock.now():
            return False
        if not hmac.compare_digest(self._csrf_mac(browser, nonce, expires, params), mac):
            return False
        with self._log_lock:
            if nonce in self._used_nonces:
                return False
            self._used_nonces.add(nonce)
        return True

    async def _consent_page(
        self, request: Request, client_id: str, redirect_uri: str, scope: str, state: str | None, params: dict[str, str]
    ) -> Response:
        with self.state.db.read() as c:
            studio = c.execute("SELECT name, first_name, last_name FROM studio WHERE id = 1").fetchone()
        browser = request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(24)
        fields: dict[str, str] = {
            k: params[k] for k in ("response_type", "client_id", "redirect_uri", "scope", "state") if k in params
        }
        fields[CSRF_FIELD] = self._csrf_token(browser, params)
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in fields.items()
        )
        items = "".join(f"<li>{html.escape(s)}</li>" for s in scope.split())
        where = (
            "show you a code to paste into the app"
            if redirect_uri == SELF
            else f"send you back to <code>{html.escape(redirect_uri)}</code>"
        )
        body = (
            f"<h1>Allow {html.escape(client_id)} to use your studio?</h1>"
            f"<p>Signed in as {html.escape(studio['first_name'] or '')} {html.escape(studio['last_name'] or '')}"
            f" ({html.escape(studio['name'])}).</p>"
            f'<p>It asks for these permissions:</p><ul class="scopes">{items}</ul>'
            f"<p>Approving will {where}.</p>"
            f'<form method="post" action="new">{hidden}'
            '<button type="submit" name="decision" value="approve" id="approve">Approve</button>'
            '<button type="submit" name="decision" value="deny" id="deny">Deny</button></form>'
        )
        page = _page("Authorize app", body)
        page.set_cookie(CSRF_COOKIE, browser, httponly=True, samesite="strict", path="/oauth2/")
        return page

    async def token(self, request: Request) -> Response:
        form = await request.form()
        params = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
        grant = params.get("grant_type", "")
        try:
            if grant == "authorization_code":
                missing = [k for k in ("code", "redirect_uri", "client_id") if not params.get(k)]
                if missing:
                    raise OAuthError("invalid_request", f"Missing: {', '.join(missing)}.")
                issued = await anyio.to_thread.run_sync(
                    self.state.tokens.redeem_code, params["code"], params["client_id"], params["redirect_uri"]
                )
            elif grant == "refresh_token":
                if not params.get("refresh_token"):
                    raise OAuthError("invalid_request", "Missing: refresh_token.")
                issued = await anyio.to_thread.run_sync(
                    self.state.tokens.refresh, params["refresh_token"], params.get("client_id") or None
                )
            else:
                raise OAuthError(
                    "unsupported_grant_type", 'The grant_type must be "authorization_code" or "refresh_token".'
                )
        except OAuthError as exc:
            self._note(grant or "token", exc.error)
            return JSONResponse(
                {"stat": "fail", "code": exc.error, "msg": exc.description}, status_code=exc.status, headers=NO_STORE
            )
        self._note(grant, "issued")
        return JSONResponse({"stat": "ok", **issued.as_json()}, headers=NO_STORE)
