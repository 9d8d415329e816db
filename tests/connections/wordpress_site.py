"""A real WordPress on loopback for the tests: Debian's `wordpress` package run by PHP's built-in server, with a
database of its own on the MariaDB at 127.0.0.1:3306, installed headlessly by WordPress's own `wp_install()`.

Debian's package is made to serve many sites from one copy: its /usr/share/wordpress/wp-config.php reads
/etc/wordpress/config-<host>.php and keeps uploads in /var/lib/wordpress. To leave /etc and /var alone, each
session gets a document root of its own that links to every file of the package except wp-config.php and
wp-content: its own wp-config.php, and a wp-content whose uploads and mu-plugins are its own (themes and plugins
link back to the package's). PHP resolves symbolic links in __FILE__, so /usr/share/wordpress/wp-load.php would
look for its wp-config.php beside itself; ABSPATH, defined before anything else runs (auto_prepend_file), points
WordPress at this root instead. Pretty permalinks need no router: PHP's server hands any path that is not a file
to index.php.

`wordpress` is session-scoped (about a second to start); it is skipped, with the reason, when PHP, the package
or MariaDB is missing. Nothing here goes through distribution.outbound: these helpers are the test's own view
of the site, not the DAM's.
"""
from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

PACKAGE = Path("/usr/share/wordpress")
PHP = shutil.which("php") or ""
DB_HOST, DB_PORT, DB_USER, DB_PASSWORD = "127.0.0.1", 3306, "root", ""
ADMIN = "admin"
TITLE = "DAM test site"
START_TIMEOUT = 20.0  # seconds for the server to answer its first REST request

# Test site only: the DAM under test runs on loopback (the live server) at a port of its own, and WordPress
# refuses to fetch such addresses for oEmbed (wp_safe_remote_get → wp_http_validate_url: loopback hosts unless
# `http_request_host_is_external` says otherwise, and only ports 80, 443 and 8080 unless
# `http_allowed_safe_ports` adds one). These filters let it reach 127.0.0.1 and localhost, on any port, and
# nothing else. Providers listed in the option `dam_test_oembed_providers` (regex => endpoint) are registered
# as a site owner would, with wp_oembed_add_provider().
MU_PLUGIN = r"""<?php
/* Plugin Name: DAM tests (loopback oEmbed, no mail) */
function dam_tests_is_loopback( $host ) {
	return in_array( strtolower( (string) $host ), array( '127.0.0.1', 'localhost' ), true );
}
add_filter( 'http_request_host_is_external', function ( $external, $host ) {
	return $external || dam_tests_is_loopback( $host );
}, 10, 2 );
add_filter( 'http_allowed_safe_ports', function ( $ports, $host, $url ) {
	if ( dam_tests_is_loopback( $host ) && wp_parse_url( $url, PHP_URL_PORT ) ) {
		$ports[] = (int) wp_parse_url( $url, PHP_URL_PORT );
	}
	return $ports;
}, 10, 3 );
add_filter( 'pre_wp_mail', '__return_true' );  // there is no mail server; WordPress would try sendmail
if ( ! wp_installing() ) {
	foreach ( (array) get_option( 'dam_test_oembed_providers', array() ) as $pattern => $endpoint ) {
		wp_oembed_add_provider( $pattern, $endpoint, true );
	}
}
"""

# Connects to MariaDB and creates or drops a database; exit 3 (with the reason) when MariaDB cannot be reached.
DATABASE_PHP = r"""<?php
mysqli_report( MYSQLI_REPORT_OFF );
[ , $host, $port, $user, $password, $action, $name ] = $argv;
$db = @new mysqli( $host, $user, $password, null, (int) $port );
if ( $db->connect_errno ) { fwrite( STDERR, $db->connect_error ); exit( 3 ); }
$sql = $action === 'create' ? "CREATE DATABASE `$name` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                            : "DROP DATABASE IF EXISTS `$name`";
if ( ! $db->query( $sql ) ) { fwrite( STDERR, $db->error ); exit( 1 ); }
"""

INSTALL_PHP = r"""<?php
define( 'WP_INSTALLING', true );
$_SERVER['HTTP_HOST'] = getenv( 'DAM_TEST_WP_HOST' );
require ABSPATH . 'wp-load.php';
function wp_new_blog_notification() {}  // pluggable: no "your new site" mail
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
$site = getenv( 'DAM_TEST_WP_URL' );
$installed = wp_install( getenv( 'DAM_TEST_WP_TITLE' ), getenv( 'DAM_TEST_WP_ADMIN' ), 'admin@example.invalid',
                         false, '', wp_slash( wp_generate_password( 24 ) ) );
update_option( 'siteurl', $site );
update_option( 'home', $site );
global $wp_rewrite;
$wp_rewrite->set_permalink_structure( '/%postname%/' );
flush_rewrite_rules( false );  // the rules only; there is no .htaccess to write
[ $password ] = WP_Application_Passwords::create_new_application_password(
	$installed['user_id'], array( 'name' => 'DAM tests' ) );
echo json_encode( array( 'app_password' => WP_Application_Passwords::chunk_password( $password ) ) );
"""

# Runs PHP code given on the command line inside the installed site (helpers of the tests: options, users).
RUN_PHP = r"""<?php
$_SERVER['HTTP_HOST'] = getenv( 'DAM_TEST_WP_HOST' );
require ABSPATH . 'wp-load.php';
eval( $argv[1] );
"""


@dataclass
class WordPressSite:
    """A running WordPress: its address, its administrator and that user's Application Password (chunked with
    spaces, as WordPress shows it), and helpers that look at it from outside."""

    url: str
    user: str
    app_password: str
    root: Path
    database: str
    log: Path
    php_options: list[str] = field(default_factory=list)

    @property
    def secret(self) -> str:
        """What a DAM admin would paste: user:application password."""
        return f"{self.user}:{self.app_password}"

    def request(self, method: str, route: str, data: dict[str, Any] | None = None, *,
                auth: bool = True, **query: Any) -> Any:
        """Call the REST API (`route` like "/wp/v2/media/5") as the administrator; the decoded JSON answer."""
        address = f"{self.url}/wp-json{route}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        headers = {"Accept": "application/json"}
        if auth:
            token = base64.b64encode(f"{self.user}:{self.app_password}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        body = None
        if data is not None:
            body, headers["Content-Type"] = json.dumps(data).encode(), "application/json"
        request = urllib.request.Request(address, data=body, headers=headers, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 - our own loopback site
                return json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"{method} {route}: {exc.code} {exc.read()[:500]!r}") from None

    def get(self, route: str, **query: Any) -> Any:
        return self.request("GET", route, **query)

    def post(self, route: str, data: dict[str, Any]) -> Any:
        return self.request("POST", route, data)

    def fetch(self, url: str) -> bytes:
        """The bytes at a URL of the site (an uploaded file)."""
        assert url.startswith(self.url + "/"), url
        with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - our own loopback site
            return answer.read()

    def php(self, code: str) -> str:
        """Run PHP inside the site (WordPress loaded); what it printed."""
        return _php(self, [str(self.root.parent / "run.php"), code])


def _php(site: WordPressSite, args: list[str]) -> str:
    done = subprocess.run([PHP, *site.php_options, *args], capture_output=True, text=True, timeout=60,  # noqa: S603
                          env={**os.environ, "DAM_TEST_WP_URL": site.url, "DAM_TEST_WP_TITLE": TITLE,
                               "DAM_TEST_WP_ADMIN": ADMIN, "DAM_TEST_WP_HOST": site.url.split("//", 1)[1]})
    if done.returncode != 0:
        raise RuntimeError(f"php {args[0]} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _missing() -> str:
    """Why WordPress cannot run here (empty when it can)."""
    if not PHP:
        return "php is not installed (apt-get install php-cli php-mysql)"
    if not (PACKAGE / "wp-settings.php").exists():
        return f"WordPress is not installed at {PACKAGE} (apt-get install wordpress)"
    probe = subprocess.run([PHP, "-r", "exit(extension_loaded('mysqli') ? 0 : 1);"],  # noqa: S603
                           capture_output=True, timeout=30)
    if probe.returncode != 0:
        return "PHP has no mysqli (apt-get install php-mysql)"
    return ""


def _database(root: Path, action: str, name: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([PHP, str(root / "database.php"), DB_HOST, str(DB_PORT), DB_USER, DB_PASSWORD,  # noqa: S603
                           action, name], capture_output=True, text=True, timeout=60)


def _document_root(root: Path, site: WordPressSite) -> None:
    docroot = root / "docroot"
    docroot.mkdir()
    for entry in PACKAGE.iterdir():
        if entry.name not in ("wp-config.php", "wp-content", ".htaccess"):
            (docroot / entry.name).symlink_to(entry)
    content = docroot / "wp-content"
    for name in ("uploads", "mu-plugins", "upgrade"):
        (content / name).mkdir(parents=True)
    for name in ("themes", "plugins", "languages"):
        (content / name).symlink_to(PACKAGE / "wp-content" / name)
    (content / "mu-plugins" / "dam-tests.php").write_text(MU_PLUGIN)
    keys = "".join(f"define( '{key}', '{secrets.token_hex(32)}' );\n" for key in (
        "AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT", "SECURE_AUTH_SALT",
        "LOGGED_IN_SALT", "NONCE_SALT"))
    (docroot / "wp-config.php").write_text(f"""<?php
// Written by tests/connections/wordpress_site.py for one test session.
define( 'DB_NAME', '{site.database}' );
define( 'DB_USER', '{DB_USER}' );
define( 'DB_PASSWORD', '{DB_PASSWORD}' );
define( 'DB_HOST', '{DB_HOST}:{DB_PORT}' );
define( 'DB_CHARSET', 'utf8mb4' );
define( 'DB_COLLATE', '' );
{keys}
define( 'WP_ENVIRONMENT_TYPE', 'local' );  // Application Passwords over plain http
define( 'WP_CONTENT_DIR', '{content}' );
define( 'DISABLE_WP_CRON', true );  // no loopback request to wp-cron.php after each page
define( 'AUTOMATIC_UPDATER_DISABLED', true );
define( 'WP_HTTP_BLOCK_EXTERNAL', true );  // the site itself and localhost only: no calls to wordpress.org
define( 'WP_DEBUG', false );
$table_prefix = 'wp_';
require_once ABSPATH . 'wp-settings.php';
""")
    (root / "prepend.php").write_text(f"<?php\ndefined( 'ABSPATH' ) || define( 'ABSPATH', '{docroot}/' );\n")
    (root / "install.php").write_text(INSTALL_PHP)
    (root / "run.php").write_text(RUN_PHP)


def _wait_until_up(site: WordPressSite, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            if site.request("GET", "/", auth=False, _fields="name").get("name") == TITLE:
                return
        except (OSError, AssertionError, ValueError):
            pass
        if server.poll() is not None:
            raise RuntimeError(f"php -S stopped ({server.returncode}): {site.log.read_text()[-2000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"WordPress did not answer within {START_TIMEOUT:g} s: {site.log.read_text()[-2000:]}")
        time.sleep(0.05)


def _stop(server: subprocess.Popen[bytes]) -> None:
    """Stop php -S and its workers: they share the process group the server was started in."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(10)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def wordpress(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WordPressSite]:
    """A freshly installed WordPress on 127.0.0.1 for the session (see the module's docstring)."""
    why = _missing()
    if why:
        pytest.skip(why)
    root = tmp_path_factory.mktemp("wordpress")
    (root / "database.php").write_text(DATABASE_PHP)
    database = f"dam_wp_{os.getpid()}_{secrets.token_hex(4)}"
    created = _database(root, "create", database)
    if created.returncode == 3:
        pytest.skip(f"MariaDB at {DB_HOST}:{DB_PORT} cannot be used as {DB_USER} without a password "
                    f"({created.stderr.strip()}); .ci/run starts it")
    if created.returncode != 0:
        raise RuntimeError(f"could not create the WordPress database: {created.stderr.strip()}")
    port = _free_port()
    site = WordPressSite(url=f"http://127.0.0.1:{port}", user=ADMIN, app_password="", root=root / "docroot",
                         database=database, log=root / "php-server.log",
                         php_options=["-d", f"auto_prepend_file={root / 'prepend.php'}",
                                      "-d", "post_max_size=64M", "-d", "upload_max_filesize=64M",
                                      "-d", "memory_limit=512M", "-d", "opcache.enable_cli=1"])
    server: subprocess.Popen[bytes] | None = None
    try:
        _document_root(root, site)
        site.app_password = json.loads(_php(site, [str(root / "install.php")]))["app_password"]
        with site.log.open("wb") as log:
            server = subprocess.Popen(  # noqa: S603
                [PHP, *site.php_options, "-S", f"127.0.0.1:{port}", "-t", str(site.root)],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=site.root,
                # Several workers: WordPress fetching the DAM while the DAM (or a test) calls WordPress.
                env={**os.environ, "PHP_CLI_SERVER_WORKERS": "4"}, start_new_session=True)
        _wait_until_up(site, server)
        yield site
    finally:
        if server is not None:
            _stop(server)
        _database(root, "drop", database)
