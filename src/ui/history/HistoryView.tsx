/**
 * The History view: every inspection kept in this browser, filtered by time, part, station and verdict;
 * pages of records with one opened in the overlay viewer; charts; the printable shift report; the
 * station's publishing and storage settings. Reads run only while the view is shown.
 */
import { useSection } from '../app/navigation';
import { HistoryCharts } from './HistoryCharts';
import { HistoryFilters } from './HistoryFilters';
import { useHistory, type HistoryTab } from './history-filter';
import { PublishSettings } from './PublishSettings';
import { RecordDetail } from './RecordDetail';
import { RecordsTable } from './RecordsTable';
import { ShiftReport } from './ShiftReport';
import { StoragePanel } from './StoragePanel';
import './history.css';

const TABS: [HistoryTab, string][] = [
  ['records', 'Records'],
  ['charts', 'Charts'],
  ['report', 'Shift report'],
  ['settings', 'Publishing & storage'],
];

export function HistoryView() {
  const shown = useSection() === 'history';
  const tab = useHistory((s) => s.tab);
  const setTab = useHistory((s) => s.setTab);
  const selectedId = useHistory((s) => s.selectedId);
  return (
    <section className="history-view dark-panel">
      {(tab === 'records' || tab === 'charts') && <HistoryFilters enabled={shown} />}
      <div role="tablist" aria-label="History" className="history-tabs">
        {TABS.map(([id, label]) => (
          <button key={id} type="button" role="tab" aria-selected={tab === id} onClick={() => setTab(id)}>
            {label}
          </button>
        ))}
      </div>
      {tab === 'records' && (
        <div className="history-main">
          <RecordsTable enabled={shown} />
          <RecordDetail id={selectedId} />
        </div>
      )}
      {tab === 'charts' && shown && <HistoryCharts />}
      {tab === 'report' && <ShiftReport enabled={shown} />}
      {tab === 'settings' && (
        <div className="history-settings">
          <PublishSettings />
          <StoragePanel />
        </div>
      )}
    </section>
  );
}
