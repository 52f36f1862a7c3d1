"""config.celery.ProcessBackendTask: the result backend is made once per process, not once per
request thread (under ASGI every request has a thread of its own: #17)."""
import threading

from config.celery import ProcessBackendTask


def test_results_of_tasks_queued_from_many_threads_share_one_backend(monkeypatch):
    from celery.backends.redis import RedisBackend

    from rendering.tasks import render_generation

    made = []
    original = RedisBackend.__init__

    def counting(self, *args, **kwargs):
        made.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(RedisBackend, "__init__", counting)
    monkeypatch.setattr(ProcessBackendTask, "_process_backends", {})
    backends = []

    def queue_from_a_request_thread():
        result = render_generation.AsyncResult("gen_test")  # what apply_async hands back
        backends.append(result.backend)

    threads = [threading.Thread(target=queue_from_a_request_thread) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(backends) == 4 and len({id(b) for b in backends}) == 1
    assert len(made) == 1 and isinstance(backends[0], RedisBackend)
