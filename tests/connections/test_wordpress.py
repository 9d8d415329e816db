"""The WordPress client against a real WordPress (tests/connections/wordpress_site.py): the connection test's
sentences, an upload read back from WordPress's own REST API, and the answers a site in front of WordPress gives
(a stand-in server for the statuses a PHP server on loopback cannot be made to send)."""
from __future__ import annotations

import hashlib
import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from PIL import Image

from distribution.connections import wordpress as wordpress_module
from distribution.connections.clients import Problem, Upload
from distribution.connections.wordpress import WordPressClient, safe_file_name
from tests.connections.wordpress_site import TITLE, WordPressSite


@pytest.fixture
def loopback(settings: Any) -> None:
    """Outbound calls may reach 127.0.0.1 (where the test site runs) in this test."""
    settings.DAM_WEBHOOK_ALLOW_HOSTS = ["127.0.0.1"]


def jpeg(seed: int = 1, size: tuple[int, int] = (320, 200)) -> bytes:
    image = Image.new("RGB", size, ((seed * 53) % 256, (seed * 97) % 256, 140))
    image.putpixel((0, 0), (seed % 256, 0, 0))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def upload_of(data: bytes, name: str = "harbour-at-dawn.jpg") -> Upload:
    return Upload(data=data, name=name, mime="image/jpeg", width=320, height=200)


# --- the connection test ---------------------------------------------------------------------------------------

@pytest.mark.usefixtures("loopback")
def test_reaches_wordpress_as_the_user_with_a_pasted_secret(wordpress: WordPressSite) -> None:
    # Pasted with a newline and spaces around it, and around the colon; the spaces inside the password stay.
    assert " " in wordpress.app_password
    client = WordPressClient(wordpress.url + "/", f"  {wordpress.user} : {wordpress.app_password} \n")
    assert client.test() == f"Reached WordPress “{TITLE}” as {wordpress.user}; they may upload media."


@pytest.mark.usefixtures("loopback")
def test_a_wrong_password_is_refused_for_good(wordpress: WordPressSite) -> None:
    with pytest.raises(Problem) as caught:
        WordPressClient(wordpress.url, f"{wordpress.user}:abcd efgh ijkl mnop qrst uvwx").test()
    assert caught.value.message == "WordPress refused the user name or application password."
    assert caught.value.retry_after is None


def test_a_secret_without_a_colon_is_refused_at_once() -> None:
    with pytest.raises(Problem) as caught:
        WordPressClient("https://example.com", "just-a-password")
    assert caught.value.message == "The WordPress secret must be user:application password."


@pytest.mark.usefixtures("loopback")
def test_a_user_who_may_not_upload_is_told_so(wordpress: WordPressSite) -> None:
    password = wordpress.php("""
        $id = username_exists( 'sam' ) ?: wp_insert_user( array( 'user_login' => 'sam', 'display_name' => 'Sam',
            'user_pass' => wp_generate_password(), 'role' => 'subscriber' ) );
        echo WP_Application_Passwords::create_new_application_password( $id, array( 'name' => 'DAM' ) )[0];
    """)
    with pytest.raises(Problem) as caught:
        WordPressClient(wordpress.url, f"sam:{password}").test()
    assert caught.value.message == (f"Reached WordPress “{TITLE}” as Sam, but they may not upload media: give them "
                                    "a role that may (Author, Editor or Administrator).")


@pytest.mark.usefixtures("loopback")
def test_a_site_with_plain_permalinks_is_reached_at_rest_route(wordpress: WordPressSite) -> None:
    # Plain permalinks: /wp-json/ redirects (GET) or shows the home page (POST); /?rest_route= answers.
    wordpress.php("global $wp_rewrite; $wp_rewrite->set_permalink_structure( '' ); flush_rewrite_rules( false );")
    try:
        client = WordPressClient(wordpress.url, wordpress.secret)
        assert client.test().startswith(f"Reached WordPress “{TITLE}”")
        media = client.upload(upload_of(jpeg(7), "plain-permalinks.jpg"))
        client.describe(media.id, title="Plain", alt="Plain alt", caption="", description="")
    finally:
        wordpress.php("global $wp_rewrite; $wp_rewrite->set_permalink_structure( '/%postname%/' ); "
                      "flush_rewrite_rules( false );")
    assert wordpress.get(f"/wp/v2/media/{media.id}", context="edit")["alt_text"] == "Plain alt"
    assert "rest_route=%2Fwp%2Fv2%2Fmedia" in wordpress.log.read_text()


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def plain_site(tmp_path: Any) -> Iterator[str]:
    """A web server that is not WordPress: a folder with an index.html."""
    (tmp_path / "index.html").write_text("<!doctype html><title>Not WordPress</title><p>Hello")

    class Handler(_Quiet):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(tmp_path), **kwargs)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.usefixtures("loopback")
def test_a_site_that_is_not_wordpress_is_told_apart(plain_site: str) -> None:
    with pytest.raises(Problem) as caught:
        WordPressClient(plain_site, "admin:abcd efgh").test()
    assert caught.value.message == "This address answered, but not as WordPress's REST API does."
    assert caught.value.retry_after is None


def test_a_loopback_site_is_refused_unless_its_host_is_allowed(wordpress: WordPressSite, settings: Any) -> None:
    settings.DAM_WEBHOOK_ALLOW_HOSTS = []
    with pytest.raises(Problem) as caught:
        WordPressClient(wordpress.url, wordpress.secret).test()
    assert caught.value.message == ("127.0.0.1 is a loopback address; only public addresses can be called unless "
                                    "the host is listed in DAM_WEBHOOK_ALLOW_HOSTS.")
    assert caught.value.retry_after is None


@pytest.mark.usefixtures("loopback")
def test_tls_that_fails_is_said_and_may_be_tried_again(wordpress: WordPressSite) -> None:
    # https:// to a server that speaks plain http: the handshake fails.
    with pytest.raises(Problem) as caught:
        WordPressClient(wordpress.url.replace("http://", "https://"), wordpress.secret).test()
    assert caught.value.message.startswith("The secure connection failed: ")
    assert caught.value.retry_after == 30


# --- upload and description, read back from WordPress ----------------------------------------------------------

@pytest.mark.usefixtures("loopback")
def test_upload_and_describe_then_read_back_from_wordpress(wordpress: WordPressSite) -> None:
    data = jpeg(1)
    client = WordPressClient(wordpress.url, wordpress.secret)
    media = client.upload(upload_of(data, "harbour-read-back.jpg"))
    client.describe(media.id, title="Harbour at dawn", alt="Fishing boats moored in a harbour at sunrise",
                    caption="Photo: Ana Lima / Acme Ltd · CC BY 4.0",
                    description="Boats in the old harbour, early morning.")

    item = wordpress.get(f"/wp/v2/media/{media.id}", context="edit")
    assert media.path == item["source_url"] and media.url == item["link"]
    assert item["source_url"].endswith("/harbour-read-back.jpg")
    assert item["mime_type"] == "image/jpeg" and item["media_type"] == "image"
    assert wordpress.fetch(media.path) == data  # the very bytes sent
    assert item["title"]["raw"] == "Harbour at dawn"
    assert item["alt_text"] == "Fishing boats moored in a harbour at sunrise"
    assert "Ana Lima / Acme Ltd" in item["caption"]["raw"] and "CC BY 4.0" in item["caption"]["raw"]
    assert item["description"]["raw"] == "Boats in the old harbour, early morning."
    assert (item["media_details"]["width"], item["media_details"]["height"]) == (320, 200)


@pytest.mark.usefixtures("loopback")
def test_a_second_upload_is_a_new_attachment(wordpress: WordPressSite) -> None:
    client = WordPressClient(wordpress.url, wordpress.secret)
    first = client.upload(upload_of(jpeg(2), "same-name.jpg"))
    second = client.upload(upload_of(jpeg(3), "same-name.jpg"))
    assert first.id != second.id and first.path != second.path  # WordPress cannot replace a file
    assert wordpress.fetch(first.path) == jpeg(2) and wordpress.fetch(second.path) == jpeg(3)
    assert {wordpress.get(f"/wp/v2/media/{m.id}")["id"] for m in (first, second)} == {int(first.id), int(second.id)}


@pytest.mark.usefixtures("loopback")
def test_text_from_the_dam_never_becomes_markup_on_the_site(wordpress: WordPressSite) -> None:
    client = WordPressClient(wordpress.url, wordpress.secret)
    media = client.upload(upload_of(jpeg(4), "Hafen im Morgengrauen; \"neu\" é.jpg"))
    client.describe(media.id, title="Sun & <b>sea</b>", alt="Sun & sea", caption="<script>alert(1)</script>",
                    description="A < B")
    item = wordpress.get(f"/wp/v2/media/{media.id}", context="edit")
    assert "<script>" not in item["caption"]["rendered"] and "&lt;script&gt;" in item["caption"]["rendered"]
    assert "<b>" not in item["title"]["rendered"]
    assert item["alt_text"] == "Sun & sea"
    assert item["source_url"].rsplit("/", 1)[1] == "Hafen-im-Morgengrauen-neu-e.jpg"


@pytest.mark.usefixtures("loopback")
def test_describing_an_attachment_deleted_there_says_so(wordpress: WordPressSite) -> None:
    client = WordPressClient(wordpress.url, wordpress.secret)
    media = client.upload(upload_of(jpeg(5)))
    wordpress.request("DELETE", f"/wp/v2/media/{media.id}", force="true")
    with pytest.raises(Problem) as caught:
        client.describe(media.id, title="t", alt="a", caption="c", description="d")
    assert caught.value.message == f"WordPress has no media item {media.id} any more (it was deleted there)."
    assert caught.value.retry_after is None


def test_file_names_are_made_safe_for_content_disposition() -> None:
    assert safe_file_name("Été à Paris.JPG") == "Ete a Paris.JPG"
    assert safe_file_name('a";b.png') == "a-b.png"
    assert safe_file_name("../../etc/passwd") == "passwd"
    assert safe_file_name("noextension", "image/webp") == "noextension.webp"
    assert safe_file_name("日本.jpg") == "file.jpg"


# --- what a server in front of WordPress may answer ------------------------------------------------------------

class FrontServer:
    """Answers GET .../users/me as WordPress does for an editor, and every POST with `answer`: the statuses
    (413, 429, 5xx from a proxy) that PHP's server on loopback cannot be made to give."""

    def __init__(self) -> None:
        self.answer: tuple[int, dict[str, str], bytes] = (200, {}, b"")
        self.posts: list[dict[str, str]] = []
        front = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                me = {"id": 2, "name": "Eddie", "slug": "eddie", "capabilities": {"upload_files": True}}
                self._send(200, {"Content-Type": "application/json"}, json.dumps(me).encode())

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                front.posts.append(dict(self.headers))
                self._send(*front.answer)

            def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                self.send_response(status)
                for name, value in {"Content-Length": str(len(body)), **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def front(loopback: None) -> Iterator[FrontServer]:
    server = FrontServer()
    yield server
    server.stop()


def _upload_problem(front: FrontServer, status: int, headers: dict[str, str], body: bytes) -> Problem:
    front.answer = (status, headers, body)
    with pytest.raises(Problem) as caught:
        WordPressClient(front.url, "eddie:abcd efgh").upload(upload_of(b"x" * 250_000))
    return caught.value


def test_the_upload_carries_the_headers_wordpress_reads(front: FrontServer) -> None:
    media_answer = {"id": 12, "source_url": f"{front.url}/wp-content/uploads/x.jpg", "link": f"{front.url}/x/"}
    front.answer = (201, {"Content-Type": "application/json; charset=UTF-8"}, json.dumps(media_answer).encode())
    media = WordPressClient(front.url, "eddie:abcd efgh ijkl").upload(upload_of(b"data", "Café.jpg"))
    assert (media.id, media.path, media.url) == ("12", media_answer["source_url"], media_answer["link"])
    sent = front.posts[0]
    assert sent["Content-Type"] == "image/jpeg"
    assert sent["Content-Disposition"] == 'attachment; filename="Cafe.jpg"'
    assert sent["Content-MD5"] == hashlib.md5(b"data", usedforsecurity=False).hexdigest()
    assert sent["Authorization"] == "Basic ZWRkaWU6YWJjZCBlZmdoIGlqa2w="  # eddie:abcd efgh ijkl


def test_a_file_too_large_for_the_server_in_front(front: FrontServer) -> None:
    problem = _upload_problem(front, 413, {"Content-Type": "text/html"}, b"<h1>413 Request Entity Too Large</h1>")
    assert problem.message == ("WordPress refused the file as too large (0.2 MB; the server in front of it limits "
                               "the size of a request). Choose a smaller preset, or raise the limit there.")
    assert problem.retry_after is None


def test_too_many_requests_waits_as_told(front: FrontServer) -> None:
    problem = _upload_problem(front, 429, {"Retry-After": "120", "Content-Type": "text/html"}, b"slow down")
    assert problem.retry_after == 120
    assert problem.message == "WordPress asks to wait before the next request (429 Too Many Requests)."


def test_a_server_error_may_be_tried_again(front: FrontServer) -> None:
    problem = _upload_problem(front, 502, {"Content-Type": "text/html"}, b"<h1>Bad Gateway</h1>")
    assert problem.message == "WordPress answered 502 Bad Gateway; trying again later may help."
    assert problem.retry_after == 30


def test_a_file_wordpress_will_not_take_is_final(front: FrontServer) -> None:
    error = {"code": "rest_upload_sideload_error", "data": {"status": 500},
             "message": "Sorry, you are not allowed to upload this file type."}
    problem = _upload_problem(front, 500, {"Content-Type": "application/json"}, json.dumps(error).encode())
    assert problem.message == "WordPress refused the file: Sorry, you are not allowed to upload this file type."
    assert problem.retry_after is None


def test_a_user_refused_by_wordpress_is_final(front: FrontServer) -> None:
    error = {"code": "rest_cannot_create", "data": {"status": 403},
             "message": "Sorry, you are not allowed to upload files as this user."}
    problem = _upload_problem(front, 403, {"Content-Type": "application/json"}, json.dumps(error).encode())
    assert problem.message == ("WordPress did not let eddie upload the file: Sorry, you are not allowed to upload "
                               "files as this user.")
    assert problem.retry_after is None


def test_a_redirect_says_where_the_site_is(front: FrontServer) -> None:
    problem = _upload_problem(front, 301, {"Location": "https://blog.example.com/wp-json/wp/v2/media"}, b"")
    assert problem.message == ("WordPress answered with a redirect to https://blog.example.com/; use that address "
                               "as the site URL.")


def test_a_site_that_does_not_answer_in_time(loopback: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # A server that accepts the connection and never answers.
    import socket

    listener = socket.create_server(("127.0.0.1", 0))
    monkeypatch.setattr(wordpress_module, "CALL_TIMEOUT", 0.3)
    try:
        with pytest.raises(Problem) as caught:
            WordPressClient(f"http://127.0.0.1:{listener.getsockname()[1]}", "eddie:abcd").test()
    finally:
        listener.close()
    assert caught.value.message == "WordPress did not answer within 0.3 seconds."
    assert caught.value.retry_after == 30
