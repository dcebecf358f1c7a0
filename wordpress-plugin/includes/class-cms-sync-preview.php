<?php
/**
 * Preview links that work without logging in, for a limited time: reviewers of a pull
 * request open the changed article in the site's real theme.
 *
 * cms-sync sends a changed article as a draft (a post readers cannot see yet) or, for a
 * published post, as an autosave (a revision; the live post is untouched), then asks
 * `POST /cms-sync/v1/preview/<id>` for a link. The link is the post's `?p=<id>` (or
 * `?page_id=<id>`) address with `cms_sync_preview=<user>.<expires>.<signature>`: an HMAC
 * (SHA-256, keyed with the site's auth salt) over the post ID, the user who asked and the
 * expiry. A request carrying a valid token for the post it asks for shows that post, with
 * that user's autosave when it is newer than the post, as the theme shows a post; nothing else
 * changes on the page and nothing is stored.
 *
 * What must never leak: only the signed post is opened (the token names it, and only the
 * main query for exactly that ID is touched), only until the expiry, and only while the
 * user who asked may still edit it; never a list, an archive or another draft. Every
 * request carrying the parameter, valid or not, is sent with no-cache, noindex and
 * no-referrer headers, and the query is not cached.
 *
 * @package CMS_Sync_Companion
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The preview route and the front-end hooks that honour its tokens.
 */
class CMS_Sync_Preview {

	/** The query parameter of a preview link. */
	const PARAM = 'cms_sync_preview';

	/** The filter that sets how long a link works, in seconds (default two days). */
	const LIFETIME_FILTER = 'cms_sync_preview_lifetime';

	/** The post types a link may open. */
	const POST_TYPES = array( 'post', 'page' );

	/**
	 * The post the current request previews (0: none).
	 *
	 * @var int
	 */
	private static $post_id = 0;

	/**
	 * The user whose autosave it shows.
	 *
	 * @var int
	 */
	private static $user_id = 0;

	/**
	 * Hooks the route and the front end.
	 */
	public static function add_hooks() {
		add_action( 'rest_api_init', array( __CLASS__, 'register_routes' ) );
		add_action( 'pre_get_posts', array( __CLASS__, 'open_preview' ) );
		add_filter( 'posts_results', array( __CLASS__, 'show_autosave' ), 10, 2 );
		add_filter( 'redirect_canonical', array( __CLASS__, 'keep_address' ) );
		add_action( 'send_headers', array( __CLASS__, 'private_headers' ) );
		add_filter( 'wp_robots', array( __CLASS__, 'robots' ) );
	}

	/**
	 * Registers `POST /cms-sync/v1/preview/<id>`.
	 */
	public static function register_routes() {
		register_rest_route(
			CMS_Sync_REST::REST_NAMESPACE,
			'/preview/(?P<id>[\d]+)',
			array(
				'methods'             => WP_REST_Server::CREATABLE,
				'callback'            => array( __CLASS__, 'issue' ),
				'permission_callback' => array( __CLASS__, 'can_preview' ),
				'args'                => array(
					'id'       => array(
						'type'     => 'integer',
						'required' => true,
					),
					'lifetime' => array(
						'description' => __( 'Seconds the link works (at most the site\'s lifetime).', 'cms-sync-companion' ),
						'type'        => 'integer',
						'minimum'     => 1,
					),
				),
			)
		);
	}

	/**
	 * Only a user who may edit the post gets a link to it.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return true|WP_Error
	 */
	public static function can_preview( $request ) {
		$post = get_post( (int) $request['id'] );
		if ( $post && in_array( $post->post_type, self::POST_TYPES, true ) && current_user_can( 'edit_post', $post->ID ) ) {
			return true;
		}
		return new WP_Error(
			'rest_forbidden',
			__( 'Sorry, you are not allowed to preview this post.', 'cms-sync-companion' ),
			array( 'status' => rest_authorization_required_code() )
		);
	}

	/**
	 * A preview link for the post, and when it stops working.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function issue( $request ) {
		$post = get_post( (int) $request['id'] );
		if ( 'trash' === $post->post_status ) {
			return new WP_Error( 'cms_sync_preview_trashed', __( 'The post is in the trash.', 'cms-sync-companion' ), array( 'status' => 400 ) );
		}
		$lifetime = self::lifetime();
		if ( ! empty( $request['lifetime'] ) ) {
			$lifetime = max( 1, min( $lifetime, (int) $request['lifetime'] ) );
		}
		$expires = time() + $lifetime;
		$token   = self::token( $post->ID, get_current_user_id(), $expires );
		$key     = 'page' === $post->post_type ? 'page_id' : 'p';
		$url     = add_query_arg(
			array(
				$key        => $post->ID,
				self::PARAM => $token,
			),
			home_url( '/' )
		);
		return rest_ensure_response(
			array(
				'id'      => $post->ID,
				'url'     => $url,
				'expires' => gmdate( 'Y-m-d\TH:i:s\Z', $expires ),
			)
		);
	}

	/**
	 * How long a link works: two days unless the `cms_sync_preview_lifetime` filter says.
	 *
	 * @return int Seconds, at least 1.
	 */
	public static function lifetime() {
		return max( 1, (int) apply_filters( self::LIFETIME_FILTER, 2 * DAY_IN_SECONDS ) );
	}

	/**
	 * The token of a link: `<user>.<expires>.<signature>`.
	 *
	 * @param int $post_id Post ID.
	 * @param int $user_id The user who asked.
	 * @param int $expires Unix time the link stops working.
	 * @return string
	 */
	public static function token( $post_id, $user_id, $expires ) {
		return $user_id . '.' . $expires . '.' . self::signature( $post_id, $user_id, $expires );
	}

	/**
	 * The HMAC of a link's post, user and expiry, keyed with the site's auth salt.
	 *
	 * @param int $post_id Post ID.
	 * @param int $user_id User ID.
	 * @param int $expires Unix time.
	 * @return string
	 */
	private static function signature( $post_id, $user_id, $expires ) {
		return hash_hmac( 'sha256', 'cms-sync-preview|' . $post_id . '|' . $user_id . '|' . $expires, wp_salt( 'auth' ) );
	}

	/**
	 * The user whose autosave a token shows, when it is a valid, unexpired token for the
	 * post and that user may still edit it; else 0.
	 *
	 * @param string $token   The parameter's value.
	 * @param int    $post_id The post the request asks for.
	 * @return int
	 */
	public static function verify( $token, $post_id ) {
		if ( ! is_string( $token ) || ! preg_match( '/^(\d+)\.(\d+)\.([0-9a-f]{64})$/', $token, $parts ) ) {
			return 0;
		}
		$user_id = (int) $parts[1];
		$expires = (int) $parts[2];
		if ( $post_id <= 0 || $expires < time() || ! hash_equals( self::signature( $post_id, $user_id, $expires ), $parts[3] ) ) {
			return 0;
		}
		$post = get_post( $post_id );
		if ( ! $post || ! in_array( $post->post_type, self::POST_TYPES, true ) || 'trash' === $post->post_status
			|| ! user_can( $user_id, 'edit_post', $post_id ) ) {
			return 0;
		}
		return $user_id;
	}

	/**
	 * The token of the current request, or ''.
	 *
	 * @return string
	 */
	private static function requested_token() {
		// phpcs:ignore WordPress.Security.NonceVerification.Recommended -- the token is the proof.
		return isset( $_GET[ self::PARAM ] ) && is_string( $_GET[ self::PARAM ] ) ? sanitize_text_field( wp_unslash( $_GET[ self::PARAM ] ) ) : '';
	}

	/**
	 * For the main query of a request with a valid token for the post it asks for: let
	 * that post through whatever its status, and keep the query out of the cache.
	 *
	 * @param WP_Query $query The query.
	 */
	public static function open_preview( $query ) {
		$token = self::requested_token();
		if ( '' === $token || is_admin() || ! $query->is_main_query() ) {
			return;
		}
		$post_id = (int) ( $query->get( 'p' ) ? $query->get( 'p' ) : $query->get( 'page_id' ) );
		$user_id = self::verify( $token, $post_id );
		if ( ! $user_id ) {
			return;
		}
		$post = get_post( $post_id );
		if ( ( 'page' === $post->post_type ) !== (bool) $query->get( 'page_id' ) ) {
			return; // ?p= names a post, ?page_id= a page.
		}
		self::$post_id = $post_id;
		self::$user_id = $user_id;
		// A status asked for explicitly passes WP_Query's check of unpublished posts.
		$query->set( 'post_status', array( $post->post_status ) );
		$query->set( 'post_type', $post->post_type );
		$query->set( 'cache_results', false );
	}

	/**
	 * The previewed post with the autosave of the user who asked, when it is newer than
	 * the post (a published post's pending changes). In memory, for this request only.
	 *
	 * @param WP_Post[] $posts The posts found.
	 * @param WP_Query  $query The query.
	 * @return WP_Post[]
	 */
	public static function show_autosave( $posts, $query ) {
		if ( ! self::$post_id || ! $query->is_main_query() || 1 !== count( $posts ) || (int) $posts[0]->ID !== self::$post_id ) {
			return $posts;
		}
		$autosave = wp_get_post_autosave( self::$post_id, self::$user_id );
		if ( $autosave && strtotime( $autosave->post_modified_gmt ) >= strtotime( $posts[0]->post_modified_gmt ) ) {
			$shown               = clone $posts[0];
			$shown->post_title   = $autosave->post_title;
			$shown->post_content = $autosave->post_content;
			$shown->post_excerpt = $autosave->post_excerpt;
			$posts               = array( $shown );
		}
		return $posts;
	}

	/**
	 * No canonical redirect of a preview: the link stays the address that carries the token.
	 *
	 * @param string|false $redirect_url Where WordPress would redirect.
	 * @return string|false
	 */
	public static function keep_address( $redirect_url ) {
		return self::$post_id ? false : $redirect_url;
	}

	/**
	 * A request with the parameter, valid or not, is never cached, indexed or sent on as a
	 * referrer (the token would travel with it).
	 */
	public static function private_headers() {
		if ( '' === self::requested_token() ) {
			return;
		}
		nocache_headers();
		header( 'X-Robots-Tag: noindex, nofollow' );
		header( 'Referrer-Policy: no-referrer' );
		if ( ! defined( 'DONOTCACHEPAGE' ) ) {
			define( 'DONOTCACHEPAGE', true ); // Page-cache plugins honour it.
		}
	}

	/**
	 * Noindex in the page's robots meta too.
	 *
	 * @param array $robots Robots directives.
	 * @return array
	 */
	public static function robots( $robots ) {
		if ( '' !== self::requested_token() ) {
			$robots = wp_robots_no_robots( $robots );
		}
		return $robots;
	}
}
