import { describeLazyLibrary } from '@parapool/conformance';

describeLazyLibrary('@parapool/piscina', 'piscina', '/piscina/dist/');
