// A drop zone: drag and drop, click or Enter/Space for the file picker, paste from the clipboard.

export function dropzone(zone, input, onFiles) {
  const take = (files) => {
    const list = Array.from(files || []);
    if (list.length) onFiles(list);
  };
  zone.addEventListener('click', (e) => {
    if (e.target !== input && !e.target.closest('label')) input.click();
  });
  zone.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      input.click();
    }
  });
  zone.addEventListener('paste', (e) => take(e.clipboardData && e.clipboardData.files));
  let depth = 0;  // dragenter/dragleave fire for every child: count them
  zone.addEventListener('dragenter', (e) => {
    e.preventDefault();
    depth++;
    zone.classList.add('dragover');
  });
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
  });
  zone.addEventListener('dragleave', () => {
    depth = Math.max(0, depth - 1);
    if (depth === 0) zone.classList.remove('dragover');
  });
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    zone.classList.remove('dragover');
    take(e.dataTransfer && e.dataTransfer.files);
  });
  input.addEventListener('change', () => {
    take(input.files);
    input.value = '';  // the same file chosen again still fires 'change'
  });
}

/** Shows `file` in `img` (revoking the previous object URL). */
export function preview(img, file) {
  if (img.dataset.url) URL.revokeObjectURL(img.dataset.url);
  if (!file || !file.type.startsWith('image/')) {
    img.hidden = true;
    img.removeAttribute('src');
    delete img.dataset.url;
    return;
  }
  const url = URL.createObjectURL(file);
  img.dataset.url = url;
  img.src = url;
  img.hidden = false;
}
