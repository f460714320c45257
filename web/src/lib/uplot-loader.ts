// Loaded on demand by the charts: uPlot and its stylesheet stay out of the first page load.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export default uPlot;
