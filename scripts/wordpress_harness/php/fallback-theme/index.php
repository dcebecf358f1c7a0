<?php
// Minimal classic theme: just enough for the front end to show posts; wp_head() prints
// the REST API <link> and friends like any theme would.
?><!doctype html>
<html <?php language_attributes(); ?>>
<head><meta charset="<?php bloginfo('charset'); ?>"><?php wp_head(); ?></head>
<body <?php body_class(); ?>>
<?php while (have_posts()) : the_post(); ?>
<article id="post-<?php the_ID(); ?>" <?php post_class(); ?>>
<h1><?php the_title(); ?></h1>
<?php the_content(); ?>
</article>
<?php if (is_singular() && comments_open()) { comment_form(); } ?>
<?php endwhile; ?>
<?php wp_footer(); ?>
</body>
</html>
