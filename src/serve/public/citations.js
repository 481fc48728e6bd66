// The citations charts, drawn from <script id="citations-data"> (src/serve/pages/citationsData.ts) with
// Chart.js: your own domains in blue. Also inlined into the report file (src/serve/report.ts).
(() => {
  const OWN_COLOUR = '#1f5fd1';
  const OTHER_COLOUR = '#adb5bd';

  function bars(canvas, labels, values, own, label) {
    const colours = own.map((mine) => (mine ? OWN_COLOUR : OTHER_COLOUR));
    // As tall as its bars need (a style property, which the Content-Security-Policy allows; an attribute it would not).
    canvas.parentElement.style.height = `${Math.max(140, 30 * labels.length + 50)}px`;
    return new window.Chart(canvas, {
      type: 'bar',
      data: {
        labels,
        datasets: [
          { label, data: values, backgroundColor: colours, borderColor: colours, maxBarThickness: 24 },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        indexAxis: 'y',
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { display: false } },
      },
    });
  }

  function draw() {
    const source = document.getElementById('citations-data');
    if (!source || !window.Chart) return;
    const data = JSON.parse(source.textContent);
    const domains = document.querySelector('canvas[data-chart="domains"]');
    if (domains) {
      bars(
        domains,
        data.domains.map((row) => row.domain),
        data.domains.map((row) => row.citations),
        data.domains.map((row) => row.is_own),
        'citations',
      );
    }
    const brands = document.querySelector('canvas[data-chart="brand_citations"]');
    if (brands) {
      bars(
        brands,
        data.brands.map((row) => row.brand),
        data.brands.map((row) => row.citations),
        data.brands.map((row) => row.is_own),
        'citations',
      );
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', draw);
  else draw();
})();
