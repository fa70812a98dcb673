package studio

import "embed"

// assets are the page: index.html, app.css and app.js (the bundle built
// from web/ by `make studio`).
//
//go:embed assets/index.html assets/app.css assets/app.js
var assets embed.FS
