<?php
// Router for `php -S`: does what Apache's .htaccess rewrite does for WordPress. Existing files
// and directories are served as they are; every other path (/%postname%/, /wp-json/...) goes
// through index.php, so pretty permalinks and the REST API work.
$path = urldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?? '/');
if (file_exists($_SERVER['DOCUMENT_ROOT'] . $path)) {
    return false;  // php -S serves it and logs "[status]: METHOD URI" itself
}
// php -S does not log requests a router handles; log them in the same format, so php.log has
// exactly one "]: " line per request (tests count requests with it).
register_shutdown_function(function () {
    file_put_contents('php://stderr', sprintf(
        "[%d] [%s] %s:%s [%d]: %s %s\n",
        getmypid(), date('D M j H:i:s Y'), $_SERVER['REMOTE_ADDR'], $_SERVER['REMOTE_PORT'],
        http_response_code(), $_SERVER['REQUEST_METHOD'], $_SERVER['REQUEST_URI']));
});
$_SERVER['SCRIPT_NAME'] = '/index.php';
$_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $_SERVER['DOCUMENT_ROOT'] . '/index.php';
require $_SERVER['SCRIPT_FILENAME'];
