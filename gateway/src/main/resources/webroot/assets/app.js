// The page's entry point: wires the sections together.
import { $ } from './dom.js';
import { loadModels, onModels } from './models.js';
import { initClassify } from './classify.js';
import { initTraining, loadJobs } from './training.js';
import { initVisualize, useImage, fillLabels } from './visualize.js';
import { initCluster } from './cluster.js';
import { initToken } from './token.js';
import { initExplorer } from './explorer.js';

// A file dropped outside a drop zone must not make the browser leave the page to show it.
for (const type of ['dragover', 'drop']) {
  window.addEventListener(type, (e) => {
    if (!e.target.closest || !e.target.closest('.dropzone')) e.preventDefault();
  });
}

initToken();
onModels(fillLabels);
fillLabels();
initClassify({ onImage: useImage });
initVisualize();
initTraining({ onPublished: () => setTimeout(loadModels, 3000) });
initExplorer();
initCluster();
$('#models-refresh').addEventListener('click', loadModels);
window.addEventListener('convnet:token', () => {
  loadModels();
  loadJobs();
});
loadModels();
document.documentElement.dataset.ready = 'true';
