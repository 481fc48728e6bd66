import type { Page } from 'playwright-core';

export type ChartData = { labels: string[]; datasets: { label: string; data: (number | null)[] }[] };

/** The data of the Chart.js chart on the canvas matching `selector`, read from the Chart instance. */
export function chartData(page: Page, selector: string): Promise<ChartData> {
  return page.evaluate((css) => {
    const canvas = document.querySelector(css) as HTMLCanvasElement | null;
    if (!canvas) throw new Error(`no canvas ${css}`);
    const chart = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): { data: ChartData } } })
      .Chart;
    const { labels, datasets } = chart.getChart(canvas).data;
    return { labels, datasets: datasets.map(({ label, data }) => ({ label, data })) };
  }, selector);
}
