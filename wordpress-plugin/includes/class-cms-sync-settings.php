<?php
/**
 * The repository URL that turns source paths into links (Settings > Writing).
 *
 * `cms_sync_repository_url` is the address under which the repository's files are shown,
 * for example `https://github.com/example/blog/blob/main`; a post's source path is appended
 * to it. It is also writable through `/wp/v2/settings` by administrators.
 *
 * @package CMS_Sync_Companion
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The `cms_sync_repository_url` option and its field.
 */
class CMS_Sync_Settings {

	const OPTION = 'cms_sync_repository_url';

	/**
	 * Hooks the setting and its field.
	 */
	public static function add_hooks() {
		add_action( 'init', array( __CLASS__, 'register' ) );
		add_action( 'admin_init', array( __CLASS__, 'add_field' ) );
	}

	/**
	 * Registers the option (on init, so that the REST settings route has it too).
	 */
	public static function register() {
		register_setting(
			'writing',
			self::OPTION,
			array(
				'type'              => 'string',
				'description'       => __( 'Web address of the repository folder that cms-sync publishes from; source paths are appended to it.', 'cms-sync-companion' ),
				'sanitize_callback' => 'esc_url_raw',
				'show_in_rest'      => array( 'schema' => array( 'format' => 'uri' ) ),
				'default'           => '',
			)
		);
	}

	/**
	 * Adds the field to Settings > Writing (saved by options.php, which checks
	 * manage_options and the page's nonce).
	 */
	public static function add_field() {
		add_settings_field(
			self::OPTION,
			__( 'cms-sync repository URL', 'cms-sync-companion' ),
			array( __CLASS__, 'render_field' ),
			'writing',
			'default',
			array( 'label_for' => self::OPTION )
		);
	}

	/**
	 * Prints the field.
	 */
	public static function render_field() {
		printf(
			'<input type="url" class="regular-text code" id="%1$s" name="%1$s" value="%2$s" placeholder="https://github.com/example/blog/blob/main" /><p class="description">%3$s</p>',
			esc_attr( self::OPTION ),
			esc_attr( get_option( self::OPTION, '' ) ),
			esc_html__( 'Where the files of the repository are shown; editors then get a link to the source file of each post kept in git.', 'cms-sync-companion' )
		);
	}

	/**
	 * The link to a source file, or '' when no repository URL is set.
	 *
	 * @param string $path Path of the file in the repository.
	 * @return string
	 */
	public static function source_url( $path ) {
		$base = (string) get_option( self::OPTION, '' );
		if ( '' === $base || '' === $path ) {
			return '';
		}
		return untrailingslashit( $base ) . '/' . implode( '/', array_map( 'rawurlencode', explode( '/', ltrim( $path, '/' ) ) ) );
	}
}
