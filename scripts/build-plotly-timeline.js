// Builds static/vendor/plotly/plotly-timeline.min.js: plotly.js's own core (the scatter trace and the
// cartesian axes) with only the components the timeline and the embed use, with plotly.js's own
// esbuild settings (its esbuild-config.js). Run by scripts/vendor-plotly in a folder where plotly.js,
// esbuild and plotly.js's two esbuild plugins are installed:  node build-plotly-timeline.js <out>
//
// plotly.js's smallest distribution ("basic") also registers bar, pie, world calendars and components
// our figures never use (colour bars, error bars, sliders, menus, images, grids, 3-D annotations), and
// carries maplibre's stylesheet for map subplots; leaving them out saves about a tenth of the bytes a
// first visit downloads. A component left out here is one a figure cannot use:
// tests/test_plotly_bundles.py checks every figure the app builds against what this bundle registers.
"use strict";
const fs = require("fs");
const path = require("path");
const esbuild = require("esbuild");
const { environmentPlugin } = require("esbuild-plugin-environment");
const InlineCSSPlugin = require("esbuild-plugin-inline-css");

const LEFT_OUT = ["annotations3d", "images", "updatemenus", "sliders", "grid", "errorbars", "colorbar"];

const out = process.argv[2];
if (!out) throw new Error("usage: node build-plotly-timeline.js <output file>");
const src = path.dirname(require.resolve("plotly.js/src/core.js"));
const version = require("plotly.js/package.json").version;

// plotly.js's src/core.js, less the registrations of the components left out.
let core = fs.readFileSync(path.join(src, "core.js"), "utf8");
for (const name of LEFT_OUT) {
  const line = new RegExp(`^\\s*require\\('\\./components/${name}'\\),?[^\\n]*\\n`, "m");
  if (!line.test(core)) throw new Error(`plotly.js ${version}: src/core.js no longer registers ${name}`);
  core = core.replace(line, "");
}
const entry = path.join(src, "core-timeline.js");
fs.writeFileSync(entry, core);

// maplibre's stylesheet is only for map subplots, and this bundle has none.
const noMapStylesheet = {
  name: "no-map-stylesheet",
  setup(build) {
    build.onResolve({ filter: /maplibre-gl\.css$/ }, () => ({ path: "maplibre-gl.css", namespace: "empty" }));
    build.onLoad({ filter: /.*/, namespace: "empty" }, () => ({ contents: "" }));
  },
};

const banner = `/**
* plotly.js (timeline - minified) v${version}
* Copyright 2012-${new Date().getFullYear()}, Plotly, Inc.
* All rights reserved.
* Licensed under the MIT license
* Built by Tension Timeline's scripts/build-plotly-timeline.js: scatter; components left out: ${LEFT_OUT.join(", ")}
*/`;

esbuild
  .build({
    entryPoints: [entry],
    outfile: out,
    format: "iife",
    globalName: "Plotly",
    bundle: true,
    minify: true,
    sourcemap: false,
    banner: { js: banner },
    plugins: [noMapStylesheet, InlineCSSPlugin(), environmentPlugin({ NODE_DEBUG: false })],
    alias: { regl: "@plotly/regl", stream: "stream-browserify" },
    define: { global: "window", "define.amd": "false" },
    target: "es2016",
    logLevel: "warning",
  })
  .catch(() => process.exit(1));
