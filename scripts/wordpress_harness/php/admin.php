<?php
// One change to a running site, made with WordPress's own PHP as wp-admin would make it:
//   php admin.php activate-plugin cms-sync-companion/cms-sync-companion.php
//   php admin.php switch-theme twentytwentyone     (prints the theme it replaced)
// Any problem goes to stderr with exit code 1.
require __DIR__ . '/load-wordpress.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';

[$command, $name] = array_slice($argv, 1) + [null, null];
if ($command === 'activate-plugin') {
    $result = activate_plugin($name);
    if (is_wp_error($result)) {
        lw_die($result);
    }
    echo $name;
} elseif ($command === 'switch-theme') {
    if (!wp_get_theme($name)->exists()) {
        lw_die("no theme $name in " . get_theme_root());
    }
    $previous = get_stylesheet();
    switch_theme($name);
    echo $previous;
} else {
    lw_die("unknown command $command");
}
