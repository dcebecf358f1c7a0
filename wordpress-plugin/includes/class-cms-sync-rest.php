<?php
/**
 * The plugin's REST namespace, and the `cms_sync_managed` filter of the posts and blocks lists.
 *
 * cms-sync detects the plugin by the `cms_sync_companion` field (the plugin's version) of
 * `/wp/v2/users/me?context=edit`, the read that checks its login anyway, so no run reads the
 * REST index for it; `doctor` asks `/cms-sync/v1/info` what it offers. `GET /wp/v2/posts?cms_sync_managed=1` lists only the
 * posts cms-sync manages, in one request whether their identity is in the meta or (posts
 * published before the plugin) in the content.
 *
 * @package CMS_Sync_Companion
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The info route and the managed-posts list filter.
 */
class CMS_Sync_REST {

	const REST_NAMESPACE = 'cms-sync/v1';
	const FEATURES       = array( 'identity-meta', 'precondition', 'notice', 'consent', 'preview' );

	/** The field of the edit view of a user that says the plugin runs, and its version. */
	const USER_FIELD = 'cms_sync_companion';

	/** The list parameter, and the WP_Query variable it becomes. */
	const MANAGED_PARAM = 'cms_sync_managed';

	/**
	 * Hooks the route and the list filter.
	 */
	public static function add_hooks() {
		add_action( 'rest_api_init', array( __CLASS__, 'register_routes' ) );
		foreach ( CMS_Sync_Identity::POST_TYPES as $post_type ) {
			add_filter( "rest_{$post_type}_collection_params", array( __CLASS__, 'collection_params' ) );
			add_filter( "rest_{$post_type}_query", array( __CLASS__, 'query_args' ), 10, 2 );
		}
		add_filter( 'posts_where', array( __CLASS__, 'posts_where' ), 10, 2 );
	}

	/**
	 * Registers `GET /cms-sync/v1/info`.
	 */
	public static function register_routes() {
		register_rest_field(
			'user',
			self::USER_FIELD,
			array(
				'get_callback' => array( __CLASS__, 'version' ),
				'schema'       => array(
					'description' => __( 'The version of the cms-sync Companion plugin.', 'cms-sync-companion' ),
					'type'        => 'string',
					'context'     => array( 'edit' ),
					'readonly'    => true,
				),
			)
		);
		register_rest_route(
			self::REST_NAMESPACE,
			'/info',
			array(
				'methods'             => WP_REST_Server::READABLE,
				'callback'            => array( __CLASS__, 'info' ),
				'permission_callback' => array( __CLASS__, 'can_read_info' ),
			)
		);
	}

	/**
	 * Only users who write posts learn what the plugin offers.
	 *
	 * @return true|WP_Error
	 */
	public static function can_read_info() {
		if ( current_user_can( 'edit_posts' ) ) {
			return true;
		}
		return new WP_Error(
			'rest_forbidden',
			__( 'Sorry, you are not allowed to read the cms-sync information.', 'cms-sync-companion' ),
			array( 'status' => rest_authorization_required_code() )
		);
	}

	/**
	 * The plugin's version and features.
	 *
	 * @return WP_REST_Response
	 */
	public static function info() {
		return rest_ensure_response(
			array(
				'version'  => CMS_SYNC_COMPANION_VERSION,
				'features' => self::FEATURES,
			)
		);
	}

	/**
	 * The plugin's version, as the user field says it (edit context only: the users
	 * who may see a user's edit view are those who may write).
	 *
	 * @return string
	 */
	public static function version() {
		return CMS_SYNC_COMPANION_VERSION;
	}

	/**
	 * Declares `cms_sync_managed` on the posts and blocks lists.
	 *
	 * @param array $params Collection parameters.
	 * @return array
	 */
	public static function collection_params( $params ) {
		$params[ self::MANAGED_PARAM ] = array(
			'description' => __( 'Limit the result to items managed by cms-sync.', 'cms-sync-companion' ),
			'type'        => 'boolean',
		);
		return $params;
	}

	/**
	 * Passes the list parameter on to WP_Query.
	 *
	 * @param array           $args    WP_Query arguments.
	 * @param WP_REST_Request $request The list request.
	 * @return array
	 */
	public static function query_args( $args, $request ) {
		if ( ! empty( $request[ self::MANAGED_PARAM ] ) ) {
			$args[ self::MANAGED_PARAM ] = true;
		}
		return $args;
	}

	/**
	 * Keeps the items with identity meta or a marker in their content (an OR that
	 * meta_query and search cannot express together).
	 *
	 * @param string   $where The WHERE clause.
	 * @param WP_Query $query The query.
	 * @return string
	 */
	public static function posts_where( $where, $query ) {
		if ( ! $query->get( self::MANAGED_PARAM ) ) {
			return $where;
		}
		global $wpdb;
		return $where . $wpdb->prepare(
			" AND ( {$wpdb->posts}.post_content LIKE %s OR EXISTS ( SELECT 1 FROM {$wpdb->postmeta} cms_sync_meta WHERE cms_sync_meta.post_id = {$wpdb->posts}.ID AND cms_sync_meta.meta_key = %s AND cms_sync_meta.meta_value <> '' ) )",
			'%' . $wpdb->esc_like( CMS_Sync_Identity::MARKER ) . '%',
			CMS_Sync_Identity::META_IDENTITY
		);
	}
}
