"""Video renders: the same templates, renderer and workers as images, output as MP4 (H.264
yuv420p, +faststart), WebM (VP9, with alpha when the background is transparent) or GIF
(two-pass palette).

    spec.py        what a video is: format, fps, frames, chunks, encoder quality, credits
    capture.py     the frame loop: seek the render page's animation, capture through CDP
    ffmpeg.py      the encoder fed while capturing, the chunks' concat, the GIF passes, ffprobe
    processing.py  the worker's side: one chunk inline, or a chord of chunk tasks → concat
    tasks.py       the thin Celery tasks (render queue)

The animation itself (enter/exit, keyframes, the seek function) is static/renderer/animation.ts,
shared with the Studio's timeline; its schema is checked by projects/document.py."""
