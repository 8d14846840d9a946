import * as vega from 'vega';
import { compile, TopLevelSpec, version as vegaLiteVersion } from 'vega-lite';

/**
 * Renders a Vega-Lite specification to an SVG document, in Node and without a browser: Vega-Lite
 * compiles it to a Vega specification, a headless Vega view runs the data flow, and the SVG
 * renderer serializes the scene graph. Text widths are estimated (no canvas is installed), so the
 * same specification gives the same bytes on every machine with the same library versions.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const compiled = compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Warn });
  try {
    const svg = await view.toSVG();
    return svg.endsWith('\n') ? svg : `${svg}\n`;
  } finally {
    view.finalize();
  }
}

/** Versions of the plotting libraries, recorded next to the figures they drew. */
export function plotLibraryVersions(): { vega: string; vegaLite: string } {
  return { vega: vega.version, vegaLite: vegaLiteVersion };
}
