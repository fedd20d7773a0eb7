"""A kernel manager that keeps a kernel warm for the course apps (Voila) on a lead's server.

Voila starts a new kernel for every app page: about half a CPU second (Python, ipykernel,
ipywidgets, the course package) before the form exists, and when a class opens its apps at once
on a small server these starts queue for the CPU. This manager starts a kernel ahead of time,
imports the course package in it, and hands it to the next app page; then it warms another.

Only the imports run ahead. The app's notebook, which reads the lead's records, runs when the
page is opened, so a form never shows records older than the page (Voila's own pre-rendering
would run the whole notebook ahead, and a later save could then put old answers back).
"""

from __future__ import annotations

import asyncio

from guarded_kernels import GuardedKernelManager
from tornado.ioloop import IOLoop
from traitlets import Float, Int, Unicode


class WarmKernelManager(GuardedKernelManager):
    warm_kernels = Int(1, config=True, help="Kernels kept warm for app pages (0: none).")
    warm_code = Unicode(
        "import wholeschool.ui.audit_form, wholeschool.ui.plan_editor",
        config=True,
        help="Run in a warm kernel.",
    )
    apps_folder = Unicode("course-apps", config=True, help="Folder of the app notebooks.")
    refill_delay = Float(
        15,
        config=True,
        help="Seconds to wait before warming the next kernel, so that a class opening its apps "
        "at once is not slowed down by the refills.",
    )

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._warm: list[str] = []
        self._filling = False
        self._closing = False
        IOLoop.current().add_callback(self._refill, 0)

    def _for_app(self, kernel_id: str | None, path: str | None, kwargs: dict) -> bool:
        env = kwargs.get("env") or {}
        return (
            kernel_id is None
            and "VOILA_REQUEST_URL" in env
            and (path or "").rstrip("/").endswith(self.apps_folder)
            and kwargs.get("kernel_name") in (None, "python3")
        )

    async def start_kernel(self, *, kernel_id=None, path=None, **kwargs) -> str:
        if self._for_app(kernel_id, path, kwargs):
            while self._warm:
                warm = self._warm.pop(0)
                if warm in self:  # not shut down meanwhile
                    self._refill(self.refill_delay)
                    return warm
            self._refill(self.refill_delay)
        return await super().start_kernel(kernel_id=kernel_id, path=path, **kwargs)

    def _refill(self, delay: float) -> None:
        if self.warm_kernels > len(self._warm) and not self._filling and not self._closing:
            self._filling = True
            asyncio.ensure_future(self._fill(delay))

    async def _fill(self, delay: float) -> None:
        try:
            await asyncio.sleep(delay)
            while len(self._warm) < self.warm_kernels and not self._closing:
                # The kernel runs the imports while it starts, before it answers anyone.
                kernel_id = await super().start_kernel(
                    path=self.apps_folder,
                    kernel_name="python3",
                    extra_arguments=[f"--IPKernelApp.exec_lines={self.warm_code}"],
                )
                self._warm.append(kernel_id)
        except Exception:  # a warm kernel is an optimisation: never break the server for it
            self.log.exception("could not warm a kernel for the course apps")
        finally:
            self._filling = False

    async def cull_kernel_if_idle(self, kernel_id: str):
        if kernel_id in self._warm:  # kept warm on purpose, for the next app page
            return None
        return await super().cull_kernel_if_idle(kernel_id)

    async def shutdown_all(self, now: bool = False) -> None:
        self._closing = True  # no new warm kernel while the server stops
        self._warm.clear()
        await super().shutdown_all(now=now)
