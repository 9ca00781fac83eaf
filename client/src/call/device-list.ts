export interface DeviceOption {
  deviceId: string;
  label: string;
}

export interface DeviceLists {
  audioInput: DeviceOption[];
  videoInput: DeviceOption[];
  audioOutput: DeviceOption[];
}

/** Devices by kind. Labels are empty until the person has allowed access; the view numbers them then. */
export async function listDevices(): Promise<DeviceLists> {
  const lists: DeviceLists = { audioInput: [], videoInput: [], audioOutput: [] };
  if (!navigator.mediaDevices?.enumerateDevices) return lists;
  for (const device of await navigator.mediaDevices.enumerateDevices()) {
    if (!device.deviceId) continue;
    const option = { deviceId: device.deviceId, label: device.label };
    if (device.kind === 'audioinput') lists.audioInput.push(option);
    else if (device.kind === 'videoinput') lists.videoInput.push(option);
    else if (device.kind === 'audiooutput') lists.audioOutput.push(option);
  }
  return lists;
}

export function onDevicesChanged(listener: () => void): () => void {
  navigator.mediaDevices?.addEventListener('devicechange', listener);
  return () => navigator.mediaDevices?.removeEventListener('devicechange', listener);
}
