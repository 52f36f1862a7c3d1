"""The render task's after-hook: when a generation that belongs to a batch row finishes, its
row is settled and the account's batches get the freed render slot at once (the beat sweeper
does the same every BATCH_SWEEP_INTERVAL seconds for anything this missed)."""
import logging

from celery.signals import task_postrun

log = logging.getLogger(__name__)

RENDER_TASK = "rendering.render_generation"


@task_postrun.connect
def _after_render(sender=None, args=None, **kwargs):
    if getattr(sender, "name", None) != RENDER_TASK or not args:
        return
    from batches.processing import generation_settled

    try:
        generation_settled(generation_id=args[0])
    except Exception:  # the sweeper will catch up; never break the worker
        log.exception("settling the batch row of %s failed", args[0])
