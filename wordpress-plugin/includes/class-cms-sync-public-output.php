<?php
/**
 * Keeps the identity comment of posts published before the plugin out of public pages.
 *
 * With the plugin active cms-sync keeps identity in post meta, and moves a post's identity
 * comment there on its next publish; until then, the comment (a repository path and hashes)
 * would still be in the page source and the feeds. It is removed from what themes and feeds
 * print. REST answers are left as they are: cms-sync reads them.
 *
 * @package CMS_Sync_Companion
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Strips identity comments from front-end content.
 */
class CMS_Sync_Public_Output {

	/**
	 * The comment as cms-sync writes it, or escaped into text by the editor's "Convert to
	 * blocks"; with the paragraph around it when it is alone in one.
	 */
	const MARKER_PATTERN = '#<p>\s*(?:<!--\s*cms-sync:v1\s[^<>]*-->|&lt;!--\s*cms-sync:v1\s[^<>]*?--&gt;)\s*</p>|<!--\s*cms-sync:v1\s[^<>]*-->|&lt;!--\s*cms-sync:v1\s[^<>]*?--&gt;#';

	/**
	 * Hooks the filter late, after blocks and synced patterns were rendered into the content.
	 */
	public static function add_hooks() {
		add_filter( 'the_content', array( __CLASS__, 'filter_content' ), 99 );
	}

	/**
	 * The content without identity comments, outside REST requests.
	 *
	 * @param string $content Rendered content.
	 * @return string
	 */
	public static function filter_content( $content ) {
		if ( defined( 'REST_REQUEST' ) && REST_REQUEST ) {
			return $content;
		}
		return self::strip_markers( $content );
	}

	/**
	 * HTML without identity comments.
	 *
	 * @param string $html HTML.
	 * @return string
	 */
	public static function strip_markers( $html ) {
		if ( false === strpos( $html, CMS_Sync_Identity::MARKER ) ) {
			return $html;
		}
		return preg_replace( self::MARKER_PATTERN, '', $html );
	}
}
