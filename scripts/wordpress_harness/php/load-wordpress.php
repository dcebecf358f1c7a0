<?php
// Loads the site's WordPress for a command-line script (setup.php, admin.php): wp-load.php
// expects a web request, so the site's host and port are filled in from the environment.
$port = getenv('LW_PORT');
$_SERVER['HTTP_HOST'] = '127.0.0.1:' . $port;
$_SERVER['SERVER_NAME'] = '127.0.0.1';
$_SERVER['SERVER_PORT'] = $port;
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['REQUEST_METHOD'] = 'GET';
require getenv('LW_WWW') . '/wp-load.php';

function lw_die($what) {
    fwrite(STDERR, is_wp_error($what) ? $what->get_error_message() : $what);
    exit(1);
}
