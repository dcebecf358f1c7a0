<?php
/**
 * Consent at the comment form, where the notice's legal basis is consent.
 *
 * When a post's notice pattern has `_cms_sync_consent`, the form shows a required checkbox
 * in the notice's language, and WordPress refuses a comment without it on the server (the
 * browser's `required` is only a convenience): the comment form path with HTTP 400, the REST
 * API (`POST /wp/v2/comments` with `cms_sync_consent: true`) with a 400 error. The time of
 * consent is stored with the comment as `cms_sync_consent_at` (GMT).
 *
 * @package CMS_Sync_Companion
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * The consent checkbox and its server-side check.
 */
class CMS_Sync_Consent {

	/** The checkbox's name, in the form and as a REST comment parameter. */
	const FIELD = 'cms_sync_consent';

	/**
	 * Hooks the checkbox and the checks.
	 */
	public static function add_hooks() {
		add_filter( 'comment_form_submit_field', array( __CLASS__, 'checkbox' ) );
		add_filter( 'preprocess_comment', array( __CLASS__, 'check_form' ) );
		add_filter( 'rest_pre_insert_comment', array( __CLASS__, 'check_rest' ), 10, 2 );
	}

	/**
	 * Puts the required checkbox right before the submit button.
	 *
	 * @param string $submit_field HTML of the submit paragraph.
	 * @return string
	 */
	public static function checkbox( $submit_field ) {
		$pattern = CMS_Sync_Identity::consent_pattern( get_the_ID() );
		if ( ! $pattern || ! comments_open() ) {
			return $submit_field;
		}
		// The class of core's own cookies checkbox too, so themes lay it out the same way.
		return sprintf(
			'<p class="comment-form-cookies-consent comment-form-cms-sync-consent"><input id="cms-sync-consent" name="%1$s" type="checkbox" value="yes" required /> <label for="cms-sync-consent">%2$s</label></p>',
			esc_attr( self::FIELD ),
			esc_html( self::label( $pattern, 'consent' ) )
		) . $submit_field;
	}

	/**
	 * A consent text of the pattern, or the plugin's own (English, translatable) one.
	 *
	 * @param WP_Post $pattern The notice pattern.
	 * @param string  $name    `consent` (the checkbox) or `consent_required` (the refusal).
	 * @return string
	 */
	private static function label( $pattern, $name ) {
		$labels = CMS_Sync_Identity::labels( $pattern );
		if ( ! empty( $labels[ $name ] ) ) {
			return $labels[ $name ];
		}
		if ( 'consent' === $name ) {
			return __( 'I consent to the processing of my data as described below.', 'cms-sync-companion' );
		}
		return sprintf(
			/* translators: %s: the consent checkbox's label. */
			__( 'Your comment was not sent: please tick "%s" and send it again.', 'cms-sync-companion' ),
			self::label( $pattern, 'consent' )
		);
	}

	/**
	 * Refuses a comment sent through the comment form without consent; records the time of
	 * consent otherwise.
	 *
	 * @param array $commentdata The comment about to be stored.
	 * @return array
	 */
	public static function check_form( $commentdata ) {
		$pattern = CMS_Sync_Identity::consent_pattern( (int) $commentdata['comment_post_ID'] );
		// A reply written in wp-admin (Comments > Reply) has no checkbox: its author edits
		// the post and is not a commenter giving data.
		if ( ! $pattern || self::is_admin_reply() ) {
			return $commentdata;
		}
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- the comment form has no nonce; wp-comments-post.php handles it.
		if ( empty( $_POST[ self::FIELD ] ) ) {
			wp_die(
				esc_html( self::label( $pattern, 'consent_required' ) ),
				esc_html__( 'Comment Submission Failure', 'cms-sync-companion' ),
				array(
					'response'  => 400,
					'back_link' => true,
				)
			);
		}
		return self::with_consent_time( $commentdata );
	}

	/**
	 * Whether the comment comes from wp-admin's reply box.
	 *
	 * @return bool
	 */
	private static function is_admin_reply() {
		// phpcs:ignore WordPress.Security.NonceVerification.Missing -- wp_ajax_replyto_comment() checks the nonce.
		return wp_doing_ajax() && isset( $_POST['action'] ) && 'replyto-comment' === $_POST['action'];
	}

	/**
	 * The same check for comments created through the REST API.
	 *
	 * @param array|WP_Error  $prepared_comment The comment about to be stored.
	 * @param WP_REST_Request $request          The request.
	 * @return array|WP_Error
	 */
	public static function check_rest( $prepared_comment, $request ) {
		if ( is_wp_error( $prepared_comment ) || empty( $prepared_comment['comment_post_ID'] ) ) {
			return $prepared_comment;
		}
		$pattern = CMS_Sync_Identity::consent_pattern( (int) $prepared_comment['comment_post_ID'] );
		if ( ! $pattern ) {
			return $prepared_comment;
		}
		if ( ! rest_sanitize_boolean( $request->get_param( self::FIELD ) ) ) {
			return new WP_Error( 'cms_sync_consent_required', self::label( $pattern, 'consent_required' ), array( 'status' => 400 ) );
		}
		return self::with_consent_time( $prepared_comment );
	}

	/**
	 * The comment with its time of consent as comment meta (wp_insert_comment() stores
	 * `comment_meta`).
	 *
	 * @param array $comment Comment fields.
	 * @return array
	 */
	private static function with_consent_time( $comment ) {
		$meta = isset( $comment['comment_meta'] ) && is_array( $comment['comment_meta'] ) ? $comment['comment_meta'] : array();

		$meta[ CMS_Sync_Meta::COMMENT_CONSENT_AT ] = current_time( 'mysql', true );
		$comment['comment_meta']                   = $meta;
		return $comment;
	}
}
