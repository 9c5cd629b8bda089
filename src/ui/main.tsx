import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { InspectPage } from './inspect/InspectPage';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <InspectPage />
  </StrictMode>,
);
