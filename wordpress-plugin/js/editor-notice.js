/**
 * cms-sync Companion: the block editor's notice that the post is kept in git.
 *
 * Plain script on WordPress's own packages (wp.data, wp.notices), no build step. The text
 * and the link come from PHP (window.cmsSyncEditorNotice), already translated.
 */
( function ( wp, notice ) {
	if ( ! wp || ! wp.data || ! wp.domReady || ! notice ) {
		return;
	}
	wp.domReady( function () {
		var actions = notice.url ? [ { label: notice.link_text, url: notice.url } ] : [];
		wp.data.dispatch( 'core/notices' ).createNotice( 'info', notice.message, {
			id: 'cms-sync-managed',
			isDismissible: true,
			actions: actions,
		} );
	} );
} )( window.wp, window.cmsSyncEditorNotice );
