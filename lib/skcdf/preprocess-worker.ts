/** Worker thread of the parallel preprocessing (preprocess-pool.ts): one case per request, its summary back. */
import { serveRequests } from '../data/worker-serve.js';
import { runCase } from './preprocess.js';
import type { PreprocessJob } from './preprocess-pool.js';

serveRequests((job: PreprocessJob) => runCase(job.c, job.dataset, job.outDir, job.size));
