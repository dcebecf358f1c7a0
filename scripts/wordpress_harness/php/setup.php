<?php
// Run once by `php` after the web install: what the installer has no form field for.
// Prints one JSON object on stdout; any problem goes to stderr with exit code 1.
require __DIR__ . '/load-wordpress.php';

global $wp_rewrite;
$wp_rewrite->set_permalink_structure('/%postname%/');
flush_rewrite_rules(false);  // soft flush: php -S has no .htaccess to write

$author_id = wp_insert_user([
    'user_login' => 'author',
    'user_pass' => getenv('LW_AUTHOR_PASSWORD'),
    'user_email' => 'author@example.com',
    'display_name' => 'Author',
    'role' => 'author',
]);
if (is_wp_error($author_id)) {
    lw_die($author_id);
}
$admin = get_user_by('login', 'admin') ?: lw_die('no admin user after install');

$out = ['admin_id' => $admin->ID, 'author_id' => $author_id, 'theme' => get_stylesheet()];
foreach (['admin' => $admin->ID, 'author' => $author_id] as $key => $user_id) {
    $created = WP_Application_Passwords::create_new_application_password(
        $user_id, ['name' => getenv('LW_APP_PASSWORD_NAME')]);
    if (is_wp_error($created)) {
        lw_die($created);
    }
    $out[$key . '_app_password'] = $created[0];
}
$out['permalink_structure'] = get_option('permalink_structure');
echo json_encode($out);
