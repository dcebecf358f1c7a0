<?php
/**
 * Tells editors which posts are kept in git: a notice in the block editor and in the classic
 * editor, and a "Source" column in the posts and patterns lists.
 *
 * @package CMS_Sync_Companion
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The editor notices and the Source column.
 */
class CMS_Sync_Editor {

	const COLUMN = 'cms_sync_source';

	/**
	 * Hooks the notices and the column.
	 */
	public static function add_hooks() {
		add_action( 'enqueue_block_editor_assets', array( __CLASS__, 'enqueue_block_editor_notice' ) );
		add_action( 'admin_notices', array( __CLASS__, 'classic_editor_notice' ) );
		add_filter( 'manage_posts_columns', array( __CLASS__, 'add_column' ), 10, 2 );
		add_action( 'manage_posts_custom_column', array( __CLASS__, 'column' ), 10, 2 );
		// The Pages list has hooks of its own, without the post type.
		add_filter( 'manage_pages_columns', array( __CLASS__, 'add_column' ) );
		add_action( 'manage_pages_custom_column', array( __CLASS__, 'column' ), 10, 2 );
	}

	/**
	 * The managed post being edited on post.php, when the user may edit it.
	 *
	 * @return WP_Post|null
	 */
	private static function edited_post() {
		$screen = function_exists( 'get_current_screen' ) ? get_current_screen() : null;
		$post   = get_post();
		if ( ! $screen || 'post' !== $screen->base || ! $post
			|| ! current_user_can( 'edit_post', $post->ID ) || ! CMS_Sync_Identity::is_managed( $post ) ) {
			return null;
		}
		return $post;
	}

	/**
	 * The notice's text, and the link to the source file when a repository URL is set.
	 *
	 * @param WP_Post $post A managed post.
	 * @return array{message: string, url: string, link_text: string}
	 */
	private static function notice_parts( $post ) {
		$path = CMS_Sync_Identity::source_path( $post );
		return array(
			'message'   => sprintf(
				/* translators: %s: the source file of the post in the repository. */
				__( 'This post is kept in git by cms-sync (%s). Edits made here will show up as conflicts on the next publish; bring them into git with cms-sync pull.', 'cms-sync-companion' ),
				'' !== $path ? $path : __( 'source file unknown', 'cms-sync-companion' )
			),
			'url'       => CMS_Sync_Settings::source_url( $path ),
			'link_text' => __( 'Open the source file', 'cms-sync-companion' ),
		);
	}

	/**
	 * Queues the block editor's notice (plain JS on wp.data, no build step).
	 */
	public static function enqueue_block_editor_notice() {
		$post = self::edited_post();
		if ( ! $post ) {
			return;
		}
		$handle = 'cms-sync-editor-notice';
		wp_enqueue_script(
			$handle,
			plugins_url( 'js/editor-notice.js', CMS_SYNC_COMPANION_FILE ),
			array( 'wp-data', 'wp-notices', 'wp-dom-ready' ),
			CMS_SYNC_COMPANION_VERSION,
			true
		);
		wp_add_inline_script( $handle, 'window.cmsSyncEditorNotice = ' . wp_json_encode( self::notice_parts( $post ) ) . ';', 'before' );
	}

	/**
	 * Prints the notice on the classic editor's screen (the block editor has its own).
	 */
	public static function classic_editor_notice() {
		$post   = self::edited_post();
		$screen = get_current_screen();
		if ( ! $post || ( method_exists( $screen, 'is_block_editor' ) && $screen->is_block_editor() ) ) {
			return;
		}
		$parts = self::notice_parts( $post );
		$link  = '' !== $parts['url'] ? sprintf( ' <a href="%s">%s</a>', esc_url( $parts['url'] ), esc_html( $parts['link_text'] ) ) : '';
		printf(
			'<div class="notice notice-info cms-sync-managed-notice"><p>%s%s</p></div>',
			esc_html( $parts['message'] ),
			$link // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- escaped above.
		);
	}

	/**
	 * Adds the Source column to the posts, pages and patterns lists.
	 *
	 * @param array  $columns   Column titles by name.
	 * @param string $post_type The listed post type (the Pages list does not say it).
	 * @return array
	 */
	public static function add_column( $columns, $post_type = 'page' ) {
		if ( in_array( $post_type, CMS_Sync_Identity::POST_TYPES, true ) ) {
			$columns[ self::COLUMN ] = __( 'Source', 'cms-sync-companion' );
		}
		return $columns;
	}

	/**
	 * Prints a row's source path, for users who may edit that post.
	 *
	 * @param string $column  Column name.
	 * @param int    $post_id Post ID.
	 */
	public static function column( $column, $post_id ) {
		if ( self::COLUMN !== $column || ! current_user_can( 'edit_post', $post_id ) ) {
			return;
		}
		$path = CMS_Sync_Identity::source_path( $post_id );
		if ( '' === $path ) {
			printf( '<span aria-hidden="true">&#8212;</span><span class="screen-reader-text">%s</span>', esc_html__( 'Not kept in git by cms-sync', 'cms-sync-companion' ) );
			return;
		}
		$url = CMS_Sync_Settings::source_url( $path );
		if ( '' === $url ) {
			echo '<code>' . esc_html( $path ) . '</code>';
			return;
		}
		printf( '<a href="%s"><code>%s</code></a>', esc_url( $url ), esc_html( $path ) );
	}
}
