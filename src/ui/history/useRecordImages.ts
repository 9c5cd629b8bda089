/** A record's pictures opened for drawing while a component shows them (the bitmap closed after). */
import { useEffect, useState } from 'react';
import { errorMessage } from '../library/storage-errors';
import { jpegBlob, openImages, type OpenedImages } from '../records/record-images';
import { readImages } from '../records/records-query';

export type RecordImagesState = { status: 'loading' } | { status: 'none' } | { status: 'error'; message: string } | { status: 'ready'; images: OpenedImages };

export function useRecordImages(id: string | null): RecordImagesState {
  const [state, setState] = useState<{ id: string | null; value: RecordImagesState }>({ id: null, value: { status: 'loading' } });
  useEffect(() => {
    if (id === null) return;
    let current = true;
    let opened: OpenedImages | null = null;
    readImages(id)
      .then((stored) => (stored ? openImages(stored) : null))
      .then(
        (images) => {
          if (!current) return images?.picture.close();
          opened = images;
          setState({ id, value: images ? { status: 'ready', images } : { status: 'none' } });
        },
        (e: unknown) => current && setState({ id, value: { status: 'error', message: errorMessage(e) } }),
      );
    return () => {
      current = false;
      opened?.picture.close();
    };
  }, [id]);
  return state.id === id ? state.value : { status: 'loading' };
}

/** A record's thumbnail as an object URL while a row shows it (revoked after). */
export function useThumbnailUrl(id: string, stored: boolean): string | null {
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    if (!stored) return;
    let current = true;
    let made: string | null = null;
    void readImages(id).then(
      (images) => {
        if (!current || !images) return;
        made = URL.createObjectURL(jpegBlob(images.thumbnail));
        setUrl(made);
      },
      () => undefined, // a row without its thumbnail still reads
    );
    return () => {
      current = false;
      if (made) URL.revokeObjectURL(made);
      setUrl(null);
    };
  }, [id, stored]);
  return url;
}
