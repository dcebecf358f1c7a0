<?php
/**
 * The post meta cms-sync reads and writes through the REST API.
 *
 * Every key is visible in the `edit` context only (which WordPress serves only to users who
 * can edit the post) and writable only by them, so anonymous readers, the view context, the
 * public pages and the feeds never carry a repository path or hash.
 *
 * @package CMS_Sync_Companion
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Registers the identity, notice, labels and consent meta, and the consent time of comments.
 */
class CMS_Sync_Meta {

	/** Comment meta: when the commenter ticked the consent box (GMT, `Y-m-d H:i:s`). */
	const COMMENT_CONSENT_AT = 'cms_sync_consent_at';

	/**
	 * Hooks the registration.
	 */
	public static function add_hooks() {
		add_action( 'init', array( __CLASS__, 'register' ) );
	}

	/**
	 * Registers the meta keys on both post types, and the comment meta.
	 */
	public static function register() {
		// WordPress 6.1's wp_block type lacks custom-fields support, without which the REST
		// API leaves `meta` out of the pattern's schema (7.0 has it).
		add_post_type_support( 'wp_block', 'custom-fields' );

		foreach ( CMS_Sync_Identity::POST_TYPES as $post_type ) {
			self::register_post_meta( $post_type, CMS_Sync_Identity::META_IDENTITY, 'string', '', __( 'cms-sync identity: key, source path and hashes of the last publish.', 'cms-sync-companion' ) );
			self::register_post_meta( $post_type, CMS_Sync_Identity::META_NOTICE, 'integer', 0, __( 'ID of the notice pattern shown under the comment form (0: none).', 'cms-sync-companion' ) );
		}
		self::register_post_meta( 'wp_block', CMS_Sync_Identity::META_LABELS, 'string', '', __( 'The comment form texts in the notice language, as a JSON object.', 'cms-sync-companion' ) );
		self::register_post_meta( 'wp_block', CMS_Sync_Identity::META_CONSENT, 'boolean', false, __( 'Whether the comment form asks for consent.', 'cms-sync-companion' ) );

		register_meta(
			'comment',
			self::COMMENT_CONSENT_AT,
			array(
				'type'          => 'string',
				'single'        => true,
				'description'   => __( 'When the commenter gave consent (GMT).', 'cms-sync-companion' ),
				'show_in_rest'  => array( 'schema' => array( 'context' => array( 'edit' ) ) ),
				// Set by the plugin when the comment is stored, never through the API.
				'auth_callback' => '__return_false',
			)
		);
	}

	/**
	 * One edit-context-only meta key of a post type.
	 *
	 * @param string $post_type   Post type.
	 * @param string $key         Meta key.
	 * @param string $type        Schema type.
	 * @param mixed  $default     Value when unset.
	 * @param string $description What the value means.
	 */
	private static function register_post_meta( $post_type, $key, $type, $default, $description ) {
		register_post_meta(
			$post_type,
			$key,
			array(
				'type'          => $type,
				'single'        => true,
				'default'       => $default,
				'description'   => $description,
				'show_in_rest'  => array( 'schema' => array( 'context' => array( 'edit' ) ) ),
				'auth_callback' => array( __CLASS__, 'can_edit' ),
			)
		);
	}

	/**
	 * Meta auth callback: only users who may edit the post write its meta.
	 *
	 * @param bool   $allowed   Whether allowed so far.
	 * @param string $meta_key  Meta key.
	 * @param int    $object_id Post ID.
	 * @return bool
	 */
	public static function can_edit( $allowed, $meta_key, $object_id ) {
		return current_user_can( 'edit_post', $object_id );
	}
}
