<?php
/**
 * The privacy notice under the comment form, and the form's texts in the notice's language.
 *
 * A managed post names its notice pattern in `_cms_sync_notice`; the pattern (a synced
 * pattern, so one edit reaches every post) is shown right under the comment form, where the
 * data are collected, inside `<section class="cms-sync-comment-notice" lang="…">` with a
 * heading. The pattern's `_cms_sync_labels` give the form's own texts in that language.
 *
 * Everything goes through comment_form()'s hooks, which classic themes (comments.php) and
 * block themes (the core/post-comments-form block) both call.
 *
 * @package CMS_Sync_Companion
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

/**
 * Renders the notice and relabels the comment form.
 */
class CMS_Sync_Comment_Form {

	/**
	 * The form's fields whose label the notice's labels replace: field => [input id, label].
	 * `url` and `cookies` are optional labels, the others always given by cms-sync.
	 */
	const FIELD_LABELS = array(
		'comment' => array( 'comment', 'comment' ),
		'author'  => array( 'author', 'name' ),
		'email'   => array( 'email', 'email' ),
		'url'     => array( 'url', 'url' ),
		'cookies' => array( 'wp-comment-cookies-consent', 'cookies' ),
	);

	/**
	 * Post ID of the form being printed, from the `comment_form` action.
	 *
	 * @var int
	 */
	private static $form_post_id = 0;

	/**
	 * Output buffer level opened around the form's title, or 0.
	 *
	 * @var int
	 */
	private static $title_buffer = 0;

	/**
	 * Hooks the form filters and the notice.
	 */
	public static function add_hooks() {
		add_filter( 'comment_form_defaults', array( __CLASS__, 'defaults' ) );
		foreach ( array_keys( self::FIELD_LABELS ) as $field ) {
			add_filter( "comment_form_field_{$field}", array( __CLASS__, 'field' ) );
		}
		add_filter( 'comment_form_submit_button', array( __CLASS__, 'submit_button' ), 10, 2 );
		add_action( 'comment_form_before', array( __CLASS__, 'open_title_buffer' ) );
		add_action( 'comment_form_top', array( __CLASS__, 'close_title_buffer' ) );
		add_action( 'comment_form', array( __CLASS__, 'remember_post' ) );
		add_action( 'comment_form_after', array( __CLASS__, 'close_title_buffer' ), 5 );
		add_action( 'comment_form_after', array( __CLASS__, 'notice' ) );
	}

	/**
	 * The labels of the notice pattern of the current post, whose form is printed (the
	 * filters before the `comment_form` action are not told the post).
	 *
	 * @return array<string, string>
	 */
	private static function labels() {
		$pattern = CMS_Sync_Identity::notice_pattern( get_the_ID() );
		return $pattern ? CMS_Sync_Identity::labels( $pattern ) : array();
	}

	/**
	 * The email note, when the theme does not pass its own.
	 *
	 * @param array $defaults comment_form() defaults.
	 * @return array
	 */
	public static function defaults( $defaults ) {
		$labels = self::labels();
		if ( isset( $labels['email_note'] ) ) {
			// id="email-notes" keeps the email field's aria-describedby pointing at it.
			$defaults['comment_notes_before'] = '<p class="comment-notes"><span id="email-notes">' . esc_html( $labels['email_note'] ) . '</span></p>';
		}
		return $defaults;
	}

	/**
	 * Replaces the text of the field's `<label for="…">`, keeping the required marker.
	 *
	 * @param string $field HTML of the field.
	 * @param string $id    The input's id.
	 * @param string $name  Key of the label.
	 * @return string
	 */
	private static function relabel( $field, $id, $name ) {
		$labels = self::labels();
		if ( ! isset( $labels[ $name ] ) ) {
			return $field;
		}
		$text = esc_html( $labels[ $name ] );
		return preg_replace_callback(
			'#(<label for="' . preg_quote( $id, '#' ) . '"[^>]*>)([^<]*?)(\s*)(?=<|$)#',
			function ( $match ) use ( $text ) {
				return $match[1] . $text . $match[3];
			},
			$field,
			1
		);
	}

	/**
	 * A field's label, for the `comment_form_field_{$name}` filter being applied.
	 *
	 * @param string $field HTML of the field.
	 * @return string
	 */
	public static function field( $field ) {
		$name = substr( current_filter(), strlen( 'comment_form_field_' ) );
		if ( ! isset( self::FIELD_LABELS[ $name ] ) ) {
			return $field;
		}
		return self::relabel( $field, self::FIELD_LABELS[ $name ][0], self::FIELD_LABELS[ $name ][1] );
	}

	/**
	 * The submit button's text.
	 *
	 * @param string $button HTML of the button.
	 * @param array  $args   comment_form() arguments.
	 * @return string
	 */
	public static function submit_button( $button, $args ) {
		$labels = self::labels();
		if ( ! isset( $labels['submit'] ) ) {
			return $button;
		}
		return sprintf(
			$args['submit_button'],
			esc_attr( $args['name_submit'] ),
			esc_attr( $args['id_submit'] ),
			esc_attr( $args['class_submit'] ),
			esc_attr( $labels['submit'] )
		);
	}

	/**
	 * Starts buffering the form's title: themes pass their own `title_reply` to
	 * comment_form() (Twenty Twenty-One does), which no filter can change afterwards.
	 */
	public static function open_title_buffer() {
		if ( self::labels() && ob_start() ) {
			self::$title_buffer = ob_get_level();
		}
	}

	/**
	 * Prints the buffered title with the notice's title text, and the form container with
	 * the notice's language.
	 */
	public static function close_title_buffer() {
		if ( ! self::$title_buffer || ob_get_level() !== self::$title_buffer ) {
			return;
		}
		self::$title_buffer = 0;
		$html    = ob_get_clean();
		$pattern = CMS_Sync_Identity::notice_pattern( get_the_ID() );
		$labels  = $pattern ? CMS_Sync_Identity::labels( $pattern ) : array();
		$lang    = $pattern ? CMS_Sync_Identity::lang( $pattern ) : '';
		if ( $lang ) {
			$html = preg_replace( '#<div id="respond"#', '<div id="respond" lang="' . esc_attr( $lang ) . '"', $html, 1 );
		}
		// Replying to a given comment shows "Leave a Reply to NAME": that one stays.
		if ( isset( $labels['title_reply'] ) && empty( $_GET['replytocom'] ) ) { // phpcs:ignore WordPress.Security.NonceVerification.Recommended -- read only, as comment_form_title() does.
			$text = esc_html( $labels['title_reply'] );
			$html = preg_replace_callback(
				'#(<[^>]+id="reply-title"[^>]*>)\s*[^<]*?(\s*)(?=<)#',
				function ( $match ) use ( $text ) {
					return $match[1] . $text . $match[2];
				},
				$html,
				1
			);
		}
		echo $html; // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- comment_form()'s own output.
	}

	/**
	 * Remembers which post the form is for (the block theme's form block names it).
	 *
	 * @param int $post_id Post ID.
	 */
	public static function remember_post( $post_id ) {
		self::$form_post_id = (int) $post_id;
	}

	/**
	 * Prints the notice pattern under the form of a post whose comments are open.
	 */
	public static function notice() {
		$post_id            = self::$form_post_id ? self::$form_post_id : get_the_ID();
		self::$form_post_id = 0;
		$pattern            = CMS_Sync_Identity::notice_pattern( $post_id );
		if ( ! $pattern || ! comments_open( $post_id ) ) {
			return;
		}
		$content = CMS_Sync_Public_Output::strip_markers( do_blocks( '<!-- wp:block {"ref":' . (int) $pattern->ID . '} /-->' ) );
		if ( '' === trim( $content ) ) {
			return;
		}
		$labels = CMS_Sync_Identity::labels( $pattern );
		$lang   = CMS_Sync_Identity::lang( $pattern );
		$title  = isset( $labels['notice_title'] ) ? $labels['notice_title'] : __( 'Basic information on data protection', 'cms-sync-companion' );
		printf(
			'<section class="cms-sync-comment-notice"%1$s aria-labelledby="cms-sync-notice-title-%2$d"><h3 id="cms-sync-notice-title-%2$d" class="cms-sync-comment-notice-title">%3$s</h3>%4$s</section>',
			$lang ? ' lang="' . esc_attr( $lang ) . '"' : '',
			(int) $post_id,
			esc_html( $title ),
			$content // phpcs:ignore WordPress.Security.EscapeOutput.OutputNotEscaped -- the pattern's rendered blocks, filtered by kses when saved.
		);
	}
}
