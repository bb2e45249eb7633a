// Render TeX to MathML with temml: JSON [{tex, display}] on stdin -> JSON [{mathml}|{error}] on stdout.
// One process per build (startup costs ~0.3 s; a formula ~0.3 ms).
import temml from "temml";

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const results = JSON.parse(input).map(({ tex, display }) => {
    try {
      return { mathml: temml.renderToString(tex, { displayMode: display, throwOnError: true, trust: false }) };
    } catch (error) {
      return { error: String(error.message || error).trim() };
    }
  });
  process.stdout.write(JSON.stringify(results));
});
