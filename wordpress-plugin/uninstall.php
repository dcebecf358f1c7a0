<?php
/**
 * Removes the plugin's option when the plugin is deleted.
 *
 * The post meta stays: it is cms-sync's record of which post is which article, and cms-sync
 * reads it again if the plugin comes back (without it, cms-sync finds its posts by slug).
 *
 * @package CMS_Sync_Companion
 */

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

delete_option( 'cms_sync_repository_url' );
