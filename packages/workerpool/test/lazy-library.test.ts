import { describeLazyLibrary } from '@parapool/conformance';

describeLazyLibrary('@parapool/workerpool', 'workerpool', '/workerpool/src/');
