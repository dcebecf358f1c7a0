<?php
/**
 * Plugin Name:       cms-sync Companion
 * Description:       Companion to cms-sync, which publishes an article series kept as markdown in git: the privacy notice and a consent checkbox under the comment form, identity in private post meta, writes that cannot overwrite a concurrent edit, a notice to editors that a post is kept in git, and preview links that work without logging in, for a limited time.
 * Version:           0.4.0
 * Requires at least: 6.1
 * Requires PHP:      7.4
 * Author:            cms-sync contributors
 * License:           GPL-2.0-or-later
 * License URI:       https://spdx.org/licenses/GPL-2.0-or-later.html
 * Text Domain:       cms-sync-companion
 *
 * @package CMS_Sync_Companion
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit; // Loaded by WordPress only.
}

define( 'CMS_SYNC_COMPANION_VERSION', '0.4.0' );
define( 'CMS_SYNC_COMPANION_FILE', __FILE__ );

$cms_sync_companion_dir = __DIR__ . '/includes/';
require_once $cms_sync_companion_dir . 'class-cms-sync-identity.php';
require_once $cms_sync_companion_dir . 'class-cms-sync-meta.php';
require_once $cms_sync_companion_dir . 'class-cms-sync-rest.php';
require_once $cms_sync_companion_dir . 'class-cms-sync-precondition.php';
require_once $cms_sync_companion_dir . 'class-cms-sync-comment-form.php';
require_once $cms_sync_companion_dir . 'class-cms-sync-consent.php';
require_once $cms_sync_companion_dir . 'class-cms-sync-editor.php';
require_once $cms_sync_companion_dir . 'class-cms-sync-settings.php';
require_once $cms_sync_companion_dir . 'class-cms-sync-public-output.php';
require_once $cms_sync_companion_dir . 'class-cms-sync-preview.php';
unset( $cms_sync_companion_dir );

// Each class registers the hooks of one concern; none of them runs anything on load.
CMS_Sync_Meta::add_hooks();
CMS_Sync_REST::add_hooks();
CMS_Sync_Precondition::add_hooks();
CMS_Sync_Comment_Form::add_hooks();
CMS_Sync_Consent::add_hooks();
CMS_Sync_Editor::add_hooks();
CMS_Sync_Settings::add_hooks();
CMS_Sync_Public_Output::add_hooks();
CMS_Sync_Preview::add_hooks();
