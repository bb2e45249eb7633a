// Render TeX to MathML with temml: JSON [{tex, display}] on stdin -> JSON [{mathml}|{error}] on stdout.
// One process per build (startup costs ~0.3 s; a formula ~0.3 ms).
// wrap "tex": inline math is cut into one <mrow> per soft break (after each top-level relation
// or binary operator, as TeX breaks lines); temml's CSS (math { display: inline-flex;
// flex-wrap: wrap }) lets a formula longer than a phone's line wrap there instead of
// pushing the page sideways. Display math ignores it.
import temml from "temml";

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const results = JSON.parse(input).map(({ tex, display }) => {
    try {
      return { mathml: temml.renderToString(tex, { displayMode: display, throwOnError: true, trust: false, wrap: "tex" }) };
    } catch (error) {
      return { error: String(error.message || error).trim() };
    }
  });
  process.stdout.write(JSON.stringify(results));
});
