/**
 * Photos from the file inputs and from drops, folders included (walked through the browser's entry API
 * where it offers one). Files the user chose one by one always go on, photo or not: the worker says what is
 * wrong with each. Inside folders, the operating system's own files (.DS_Store, Thumbs.db) are left out.
 */

export interface PickedPhoto {
  file: File;
  /** Path inside the chosen or dropped folder, else the file name. */
  path: string;
}

const SYSTEM_FILES = new Set(['thumbs.db', 'desktop.ini']);

/** Whether a path inside a folder names a hidden or system file rather than a photo. */
export function isSystemFile(path: string): boolean {
  const parts = path.split('/');
  return parts.some((p) => p.startsWith('.')) || SYSTEM_FILES.has(parts[parts.length - 1].toLowerCase());
}

const byPath = new Intl.Collator(undefined, { numeric: true });

/** Photos from a file input: single files as chosen; a folder's files sorted by path, system files left out. */
export function photosFromInput(files: Iterable<File>): PickedPhoto[] {
  const picked = [...files].map((file) => ({ file, path: file.webkitRelativePath || file.name }));
  const loose = picked.filter((p) => !p.file.webkitRelativePath);
  const inFolders = picked.filter((p) => p.file.webkitRelativePath && !isSystemFile(p.path)).sort((a, b) => byPath.compare(a.path, b.path));
  return [...loose, ...inFolders];
}

/** Photos from a drop: dropped folders are walked. Must be called while the drop event is handled. */
export function photosFromDrop(data: DataTransfer): Promise<PickedPhoto[]> {
  // the entries and files can only be taken during the event; reading the folders may go on after it
  const entries = [...data.items].filter((i) => i.kind === 'file').map((i) => i.webkitGetAsEntry?.() ?? null);
  const files = [...data.files];
  if (entries.length === 0 || entries.some((e) => e === null)) return Promise.resolve(files.map((file) => ({ file, path: file.name })));
  return Promise.all((entries as FileSystemEntry[]).map(photosOfEntry)).then((lists) => lists.flat());
}

async function photosOfEntry(entry: FileSystemEntry): Promise<PickedPhoto[]> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    return [{ file, path: entry.fullPath.replace(/^\//, '') }];
  }
  const children = (await readDirectory(entry as FileSystemDirectoryEntry)).filter((c) => !isSystemFile(c.name)).sort((a, b) => byPath.compare(a.name, b.name));
  return (await Promise.all(children.map(photosOfEntry))).flat();
}

/** All entries of a folder: the reader hands them out in chunks until it returns an empty one. */
async function readDirectory(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const chunk = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (chunk.length === 0) return all;
    all.push(...chunk);
  }
}
