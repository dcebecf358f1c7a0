<?php
/**
 * What cms-sync says about a post: its identity and the notice pattern it shows.
 *
 * cms-sync stores a post's identity in the `_cms_sync_identity` meta when this plugin is
 * active (`key=… path=… source=… stored=… fields=…`, values percent-encoded). Posts published
 * before the plugin carry the same payload in an HTML comment in their content
 * (`<!-- cms-sync:v1 key=… -->`), possibly escaped or wrapped in a paragraph by the editor,
 * so both places are read.
 *
 * @package CMS_Sync_Companion
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Reads identity, notice pattern and labels of managed posts. No hooks.
 */
class CMS_Sync_Identity {

	const META_IDENTITY = '_cms_sync_identity';
	const META_NOTICE   = '_cms_sync_notice';
	const META_LABELS   = '_cms_sync_labels';
	const META_CONSENT  = '_cms_sync_consent';

	/** The text every identity comment in post content starts with. */
	const MARKER = 'cms-sync:v1';

	/** The post types cms-sync writes: articles (posts and pages) and their notice patterns. */
	const POST_TYPES = array( 'post', 'page', 'wp_block' );

	/** The post types of articles: those that show a notice under their comment form. */
	const ARTICLE_TYPES = array( 'post', 'page' );

	/** The payload after the marker: percent-encoded `name=value` pairs. */
	const PAYLOAD_PATTERN = '#cms-sync:v1((?:\s+[a-z]+=[A-Za-z0-9%/:._]*)+)#';

	/**
	 * The identity fields of a post (key, path, source, stored, fields), decoded; from the
	 * meta, else from the last marker in its content; an empty array for a post cms-sync
	 * does not manage.
	 *
	 * @param WP_Post|int $post The post.
	 * @return array<string, string>
	 */
	public static function fields( $post ) {
		$post = get_post( $post );
		if ( ! $post || ! in_array( $post->post_type, self::POST_TYPES, true ) ) {
			return array();
		}
		$payload = (string) get_post_meta( $post->ID, self::META_IDENTITY, true );
		if ( '' === trim( $payload ) && preg_match_all( self::PAYLOAD_PATTERN, $post->post_content, $found ) ) {
			$payload = end( $found[1] );
		}
		$fields = array();
		foreach ( preg_split( '/\s+/', trim( $payload ), -1, PREG_SPLIT_NO_EMPTY ) as $pair ) {
			$parts = explode( '=', $pair, 2 );
			if ( 2 === count( $parts ) ) {
				$fields[ $parts[0] ] = rawurldecode( $parts[1] );
			}
		}
		return $fields;
	}

	/**
	 * Whether cms-sync manages the post.
	 *
	 * @param WP_Post|int $post The post.
	 * @return bool
	 */
	public static function is_managed( $post ) {
		return ! empty( self::fields( $post )['key'] );
	}

	/**
	 * The post's source file in the repository (e.g. `articles/01-intro.md`), or ''.
	 *
	 * @param WP_Post|int $post The post.
	 * @return string
	 */
	public static function source_path( $post ) {
		$fields = self::fields( $post );
		return isset( $fields['path'] ) ? $fields['path'] : '';
	}

	/**
	 * The published notice pattern the post shows under its comment form, or null.
	 *
	 * @param WP_Post|int $post The post.
	 * @return WP_Post|null
	 */
	public static function notice_pattern( $post ) {
		$post = get_post( $post );
		if ( ! $post || ! in_array( $post->post_type, self::ARTICLE_TYPES, true ) ) {
			return null;
		}
		$pattern = get_post( (int) get_post_meta( $post->ID, self::META_NOTICE, true ) );
		if ( ! $pattern || 'wp_block' !== $pattern->post_type || 'publish' !== $pattern->post_status
			|| post_password_required( $pattern ) ) {
			return null;
		}
		return $pattern;
	}

	/**
	 * The comment form's texts stored on a notice pattern, as strings by name
	 * (title_reply, email_note, comment, name, email, submit, notice_title, consent, and
	 * optionally lang and consent_required). Empty when the meta is missing or not a JSON object.
	 *
	 * @param WP_Post $pattern A notice pattern.
	 * @return array<string, string>
	 */
	public static function labels( $pattern ) {
		$labels = json_decode( (string) get_post_meta( $pattern->ID, self::META_LABELS, true ), true );
		if ( ! is_array( $labels ) ) {
			return array();
		}
		return array_map( 'strval', array_filter( $labels, 'is_scalar' ) );
	}

	/**
	 * The language of a notice pattern: `lang` in its labels, else the language of its key
	 * (`notice:bn`), else ''.
	 *
	 * @param WP_Post $pattern A notice pattern.
	 * @return string
	 */
	public static function lang( $pattern ) {
		$labels = self::labels( $pattern );
		if ( ! empty( $labels['lang'] ) ) {
			return $labels['lang'];
		}
		$fields = self::fields( $pattern );
		$key    = isset( $fields['key'] ) ? $fields['key'] : '';
		return 0 === strpos( $key, 'notice:' ) ? substr( $key, strlen( 'notice:' ) ) : '';
	}

	/**
	 * The post's notice pattern when it asks commenters for consent, else null.
	 *
	 * @param WP_Post|int $post The post.
	 * @return WP_Post|null
	 */
	public static function consent_pattern( $post ) {
		$pattern = self::notice_pattern( $post );
		return $pattern && get_post_meta( $pattern->ID, self::META_CONSENT, true ) ? $pattern : null;
	}
}
