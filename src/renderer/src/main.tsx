import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { accessToken } from './api/token.ts';
import './styles.css';

// In a browser, take the access token out of the address bar before anything else runs.
if (!window.bulkOcr) accessToken();

const root = document.getElementById('root');
if (!root) throw new Error('#root is missing from index.html');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
