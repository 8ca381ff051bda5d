// warnBeforeLeaving asks the browser to confirm leaving the page while dirty() is true:
// an editor with changes not yet saved. Call it while a component initialises.
export function warnBeforeLeaving(dirty: () => boolean): void {
  $effect(() => {
    if (!dirty()) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    addEventListener("beforeunload", warn);
    return () => removeEventListener("beforeunload", warn);
  });
}
