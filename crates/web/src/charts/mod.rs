//! SVG charts drawn on the server: each is an accessible image (`role="img"`, a title and a
//! description) with the table of its numbers beside it.
