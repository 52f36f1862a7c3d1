import { useRef } from 'preact/hooks';

/** A ref that always holds the latest value: callbacks made once can call the newest function. */
export function useLatest<T>(value: T) {
  const ref = useRef(value);
  ref.current = value;
  return ref;
}
