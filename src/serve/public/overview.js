// The overview's charts, drawn from <script id="overview-data"> (src/serve/pages/overviewData.ts) with
// Chart.js. The tables beside them hold the same numbers for readers without JavaScript. Also inlined into
// the report file (src/serve/report.ts): no imports, no requests.
(() => {
  const OWN_COLOUR = '#1f5fd1';
  const ERROR_BAR_COLOUR = '#1d2433';
  const COLOURS = ['#d9480f', '#2b8a3e', '#862e9c', '#e67700', '#0b7285', '#c2255c', '#5c940d', '#495057'];

  const percentTick = (value) => `${Math.round(value * 100)}%`;
  const percentLabel = (item) =>
    item.raw === null ? '' : `${item.dataset.label}: ${(item.raw * 100).toFixed(1)}%`;

  /** Your brands in one colour, each competitor in its own: the same brand has the same colour everywhere. */
  function colours(brands) {
    let competitor = 0;
    return brands.map((brand) => {
      if (brand.is_own) return OWN_COLOUR;
      const colour = COLOURS[competitor % COLOURS.length];
      competitor += 1;
      return colour;
    });
  }

  /** With one period there is no band to fill: the interval is drawn as an error bar on each bar. */
  const errorBars = {
    id: 'avtErrorBars',
    afterDatasetsDraw(chart) {
      if (chart.data.labels.length !== 1) return;
      const { ctx, scales } = chart;
      chart.data.datasets.forEach((dataset, index) => {
        if (!dataset.interval || !chart.isDatasetVisible(index)) return;
        chart.getDatasetMeta(index).data.forEach((point, at) => {
          const low = dataset.interval.low[at];
          const high = dataset.interval.high[at];
          if (low === null || high === null) return;
          const top = scales.y.getPixelForValue(high);
          const bottom = scales.y.getPixelForValue(low);
          ctx.save();
          ctx.strokeStyle = ERROR_BAR_COLOUR;
          ctx.lineWidth = 1.5;
          ctx.beginPath();
          ctx.moveTo(point.x, top);
          ctx.lineTo(point.x, bottom);
          ctx.moveTo(point.x - 5, top);
          ctx.lineTo(point.x + 5, top);
          ctx.moveTo(point.x - 5, bottom);
          ctx.lineTo(point.x + 5, bottom);
          ctx.stroke();
          ctx.restore();
        });
      });
    },
  };

  function line(label, data, colour, own) {
    return {
      label,
      data,
      borderColor: colour,
      backgroundColor: colour,
      borderWidth: own ? 3 : 2,
      pointRadius: 3,
      spanGaps: false,
    };
  }

  /** Each brand's rate line between its interval's bounds (two datasets filled between, kept out of the legend). */
  function mentionRateDatasets(series, brands, colourOf, single) {
    return series.lines.flatMap((entry) => {
      const brand = brands[entry.brand];
      const colour = colourOf[entry.brand];
      const band = (bound, data, fill) => ({
        label: `${brand.name} 95% ${bound}`,
        band: true,
        data,
        borderWidth: 0,
        pointRadius: 0,
        pointHitRadius: 0,
        borderColor: colour,
        backgroundColor: `${colour}1a`,
        fill,
      });
      const rate = line(brand.name, entry.mention_rate, colour, brand.is_own);
      rate.interval = { low: entry.ci_low, high: entry.ci_high };
      return single ? [rate] : [band('low', entry.ci_low, false), band('high', entry.ci_high, '-1'), rate];
    });
  }

  /**
   * A line per brand over the periods; with a single period (a first run), a bar per brand instead, side by
   * side, since points on one vertical line would hide each other. Positions stay points: a bar from 1 means
   * nothing.
   */
  function config(metric, series, brands, colourOf) {
    const single = series.periods.length === 1;
    const isRate = metric !== 'avg_position';
    const datasets =
      metric === 'mention_rate'
        ? mentionRateDatasets(series, brands, colourOf, single)
        : series.lines.map((entry) =>
            line(brands[entry.brand].name, entry[metric], colourOf[entry.brand], brands[entry.brand].is_own),
          );
    return {
      type: single && isRate ? 'bar' : 'line',
      data: { labels: series.periods, datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        interaction: { mode: 'index', intersect: false },
        scales: {
          // One period: in the middle of the chart rather than on its left edge.
          x: { offset: single },
          y: isRate
            ? { min: 0, max: 1, ticks: { callback: percentTick } }
            : { reverse: true, min: 1, suggestedMax: 3, ticks: { precision: 0 } },
        },
        plugins: {
          legend: { labels: { filter: (item, data) => !data.datasets[item.datasetIndex].band } },
          tooltip: {
            filter: (item) => !item.dataset.band,
            callbacks: isRate ? { label: percentLabel } : {},
          },
        },
      },
      plugins: metric === 'mention_rate' ? [errorBars] : [],
    };
  }

  function draw() {
    const source = document.getElementById('overview-data');
    if (!source || !window.Chart) return;
    const data = JSON.parse(source.textContent);
    const colourOf = colours(data.brands);
    for (const canvas of document.querySelectorAll('canvas[data-chart][data-series]')) {
      const series = data.series.find((entry) => entry.key === canvas.dataset.series);
      if (series) new window.Chart(canvas, config(canvas.dataset.chart, series, data.brands, colourOf));
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', draw);
  else draw();
})();
