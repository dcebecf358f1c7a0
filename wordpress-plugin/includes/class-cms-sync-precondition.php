<?php
/**
 * Conditional writes: a write that carries the modification time its sender read is refused
 * with HTTP 412 when the post has changed since.
 *
 * WordPress's REST API has no conditional update (core Trac #47676), so an editor who saves
 * between cms-sync's read and its write would lose the edit. cms-sync sends
 * `X-CMS-Sync-If-Unmodified-Since: <modified_gmt as read>` on each write, on a single request
 * or on a sub-request of `/batch/v1`; `rest_request_before_callbacks` sees both, with the
 * sub-request's own headers. Requests without the header are left alone.
 *
 * `modified_gmt` has a resolution of one second, so a save in the same second as the read
 * would go unnoticed: updates of managed posts therefore always move it forward.
 *
 * @package CMS_Sync_Companion
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The 412 check and the strictly increasing modification time.
 */
class CMS_Sync_Precondition {

	const HEADER = 'X-CMS-Sync-If-Unmodified-Since';

	/** What the header holds: modified_gmt as the REST API answers it, a zone allowed. */
	const DATE_PATTERN = '/^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}:?\d{2})?$/';

	/** The single-item routes of posts, pages and patterns. */
	const ROUTE_PATTERN = '#^/wp/v2/(?:posts|pages|blocks)/(\d+)/?$#';

	/**
	 * Hooks the check and the modification time.
	 */
	public static function add_hooks() {
		add_filter( 'rest_request_before_callbacks', array( __CLASS__, 'check' ), 10, 3 );
		add_filter( 'wp_insert_post_data', array( __CLASS__, 'advance_modified' ), 10, 2 );
	}

	/**
	 * Refuses a write whose header names another modification time than the post's.
	 *
	 * @param mixed           $response Result so far (a WP_Error when matching failed).
	 * @param array           $handler  Route handler.
	 * @param WP_REST_Request $request  The request (or batch sub-request).
	 * @return mixed
	 */
	public static function check( $response, $handler, $request ) {
		$expected = $request->get_header( self::HEADER );
		if ( null === $expected || is_wp_error( $response )
			|| ! in_array( $request->get_method(), array( 'POST', 'PUT', 'PATCH', 'DELETE' ), true )
			|| ! preg_match( self::ROUTE_PATTERN, $request->get_route(), $route ) ) {
			return $response;
		}
		$post = get_post( (int) $route[1] );
		// Someone who may not edit the post learns nothing here; the route's own permission
		// check refuses them next.
		if ( ! $post || ! current_user_can( 'edit_post', $post->ID ) ) {
			return $response;
		}
		$expected = trim( $expected );
		if ( ! preg_match( self::DATE_PATTERN, $expected ) ) {
			return new WP_Error(
				'cms_sync_precondition_invalid',
				/* translators: %s: HTTP header name. */
				sprintf( __( 'The %s header is not a date such as 2026-11-30T05:12:00.', 'cms-sync-companion' ), self::HEADER ),
				array( 'status' => 400 )
			);
		}
		$current = self::modified_gmt( $post );
		$expected_time = date_create( $expected, new DateTimeZone( 'UTC' ) ); // A zone in the value wins.
		if ( ! $expected_time || $expected_time->getTimestamp() !== strtotime( $current . ' UTC' ) ) {
			return new WP_Error(
				'cms_sync_precondition_failed',
				__( 'The post was changed since it was read; read it again before writing.', 'cms-sync-companion' ),
				array(
					'status'       => 412,
					'modified_gmt' => mysql_to_rfc3339( $current ),
				)
			);
		}
		return $response;
	}

	/**
	 * The post's modification time in GMT (`Y-m-d H:i:s`), as the REST API computes
	 * modified_gmt (drafts may lack post_modified_gmt).
	 *
	 * @param WP_Post $post The post.
	 * @return string
	 */
	private static function modified_gmt( $post ) {
		if ( '0000-00-00 00:00:00' !== $post->post_modified_gmt ) {
			return $post->post_modified_gmt;
		}
		return gmdate( 'Y-m-d H:i:s', (int) ( strtotime( $post->post_modified ) - get_option( 'gmt_offset' ) * HOUR_IN_SECONDS ) );
	}

	/**
	 * Moves the modification time of an updated managed post past the stored one, so that
	 * two writes within one second still differ in modified_gmt.
	 *
	 * @param array $data    Slashed post fields about to be stored.
	 * @param array $postarr The arguments of wp_insert_post().
	 * @return array
	 */
	public static function advance_modified( $data, $postarr ) {
		if ( empty( $postarr['ID'] ) || ! in_array( $data['post_type'], CMS_Sync_Identity::POST_TYPES, true ) ) {
			return $data;
		}
		$stored = get_post( (int) $postarr['ID'] );
		if ( ! $stored || ! CMS_Sync_Identity::is_managed( $stored ) ) {
			return $data;
		}
		$previous = strtotime( self::modified_gmt( $stored ) . ' UTC' );
		if ( strtotime( $data['post_modified_gmt'] . ' UTC' ) <= $previous ) {
			$data['post_modified_gmt'] = gmdate( 'Y-m-d H:i:s', $previous + 1 );
			$data['post_modified']     = get_date_from_gmt( $data['post_modified_gmt'] );
		}
		return $data;
	}
}
